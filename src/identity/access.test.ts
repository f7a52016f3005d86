import { describe, expect, it } from 'vitest';
import type { Role } from '../db/schema.ts';
import { ACTIONS, authorize, can, leadUnitIndex, listScope, PERMISSIONS, type Action, type Resource } from './access.ts';
import type { Principal } from './users.ts';

const OWN = '91320509605992671N';
const OTHER = '91440300708461136T';
// Measure 16 is led by the commerce bureau, measure 7 by science and technology, measure 20 jointly.
const leads = leadUnitIndex([
  ['16', ['commerce']],
  ['7', ['science']],
  ['20', ['commerce', 'development-reform']],
]);

const user = (role: Role, scope: Partial<Principal> = {}): Principal => ({
  id: 1,
  username: role.toLowerCase(),
  displayName: role,
  role,
  enterpriseUscc: null,
  areaId: null,
  departmentId: null,
  ...scope,
});

const enterprise = user('enterprise', { enterpriseUscc: OWN });
const enterpriseAdmin = user('enterprise', { enterpriseUscc: OWN, enterpriseAdmin: true });
const area = user('areaReviewer', { areaId: 'songling' });
const department = user('departmentReviewer', { departmentId: 'commerce' });
const finance = user('finance');
const auditor = user('auditor');
const admin = user('admin');

/** A resource of the user's own enterprise, area and led measure … */
const mine: Resource = { enterpriseUscc: OWN, areaId: 'songling', measureId: '16' };
/** … and one belonging to nobody of theirs. */
const foreign: Resource = { enterpriseUscc: OTHER, areaId: 'shengze', measureId: '7' };

describe('access policy', () => {
  it('limits an enterprise user to its own enterprise', () => {
    expect(can(enterprise, 'claim.submit', mine)).toBe(true);
    expect(can(enterprise, 'claim.read', foreign)).toBe(false);
    expect(can(enterprise, 'claim.read', {})).toBe(false);
    expect(can(enterprise, 'claim.firstReview', mine)).toBe(false);
    expect(can(enterprise, 'payment.record', mine)).toBe(false);
  });

  it('limits an area reviewer to first review in its own area', () => {
    expect(can(area, 'claim.firstReview', mine)).toBe(true);
    expect(can(area, 'claim.firstReview', foreign)).toBe(false);
    expect(can(area, 'claim.departmentReview', mine, leads)).toBe(false);
    expect(can(area, 'claim.submit', mine)).toBe(false);
  });

  it("limits a department reviewer to the measures its department leads", () => {
    expect(can(department, 'claim.departmentReview', mine, leads)).toBe(true);
    expect(can(department, 'claim.departmentReview', foreign, leads)).toBe(false);
    expect(can(department, 'claim.departmentReview', { measureId: '20' }, leads)).toBe(true);
    expect(can(department, 'claim.departmentReview', { measureId: '99' }, leads)).toBe(false);
    expect(can(department, 'claim.firstReview', mine, leads)).toBe(false);
    expect(() => can(department, 'claim.read', mine)).toThrow(/AccessContext/);
  });

  it('lets finance pay and auditors only read, and keeps admins away from claims and money', () => {
    expect(can(finance, 'payment.record', foreign)).toBe(true);
    expect(can(finance, 'claim.departmentReview', foreign, leads)).toBe(false);
    expect(can(admin, 'user.manage')).toBe(true);
    expect(can(admin, 'claim.read', mine)).toBe(false);
    expect(can(admin, 'payment.record')).toBe(false);
    for (const action of ACTIONS) {
      const readOnly = /\.(read|verify)$/.test(action);
      expect([action, can(auditor, action, foreign, leads)]).toEqual([action, readOnly]);
    }
  });

  it('grants nothing outside its scope to any role, for any action', () => {
    const roles: Principal[] = [enterprise, enterpriseAdmin, area, department, finance, auditor, admin];
    for (const action of ACTIONS) {
      for (const u of roles) {
        const scope = (PERMISSIONS[action] as Partial<Record<Role, string>>)[u.role];
        // Only a district-wide permission reaches someone else's enterprise, area or measure; the enterprise
        // administrator's scope is its own enterprise, and only the administrator has it.
        const ownScope = scope !== undefined && (scope !== 'enterpriseAdmin' || !!u.enterpriseAdmin);
        expect([action, u.role, can(u, action, foreign, leads)]).toEqual([action, u.role, scope === 'any']);
        expect([action, u.role, can(u, action, mine, leads)]).toEqual([action, u.role, ownScope]);
      }
    }
  });

  it("lets an enterprise's administrator keep its colleagues' accounts, and no other enterprise user", () => {
    expect(can(enterpriseAdmin, 'user.manage', { enterpriseUscc: OWN })).toBe(true);
    expect(can(enterpriseAdmin, 'user.read', { enterpriseUscc: OWN })).toBe(true);
    expect(can(enterpriseAdmin, 'user.manage', { enterpriseUscc: OTHER })).toBe(false);
    expect(can(enterpriseAdmin, 'user.manage', {})).toBe(false);
    expect(can(enterprise, 'user.manage', { enterpriseUscc: OWN })).toBe(false);
    expect(listScope(enterpriseAdmin, 'user.read')).toEqual({ kind: 'enterprise', enterpriseUscc: OWN });
    expect(listScope(enterprise, 'user.read')).toEqual({ kind: 'none' });
  });

  it('throws a forbidden KaifangError from authorize', () => {
    expect(() => authorize(enterprise, 'claim.read', foreign)).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => authorize(enterprise, 'claim.read', mine)).not.toThrow();
  });

  it('turns a permission into a list filter', () => {
    const action: Action = 'claim.read';
    expect(listScope(enterprise, action)).toEqual({ kind: 'enterprise', enterpriseUscc: OWN });
    expect(listScope(area, action)).toEqual({ kind: 'area', areaId: 'songling' });
    expect(listScope(department, action, leads)).toEqual({ kind: 'measures', measureIds: ['16', '20'] });
    expect(listScope(auditor, action)).toEqual({ kind: 'all' });
    expect(listScope(admin, action)).toEqual({ kind: 'none' });
  });
});
