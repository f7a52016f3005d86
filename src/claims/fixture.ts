/**
 * A small world for integration tests (and the shape the demo data follows): enterprises in two areas, and a
 * user for every role. Passwords use cheap scrypt parameters here only, to keep suites fast.
 */
import type { Db } from '../db/transaction.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { createEnterprise } from '../enterprises/enterprises.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';
import { createUser, type Principal } from '../identity/users.ts';
import { DEFAULT_SECURITY_CONFIG, type SecurityConfig } from '../identity/security-config.ts';
import type { IndustryClass } from '../db/schema.ts';

export const FAST_SECURITY: SecurityConfig = { ...DEFAULT_SECURITY_CONFIG, scrypt: { N: 1024, r: 8, p: 1, keyLength: 32 } };
export const TEST_PASSWORD = 'kaifang-test-2020';

export interface World {
  enterprises: { cable: string; textile: string; other: string; spare: string };
  users: {
    cable: Principal;
    textile: Principal;
    equipment: Principal;
    spare: Principal;
    shengzeReviewer: Principal;
    songlingReviewer: Principal;
    industryReviewer: Principal;
    scienceReviewer: Principal;
    finance: Principal;
    auditor: Principal;
    admin: Principal;
  };
}

export async function createWorld(db: Db, seed = 1): Promise<World> {
  const random = seededRandom(seed);
  const ent = async (name: string, areaId: string, industryClass: IndustryClass) => {
    const uscc = generateUscc({ random });
    await createEnterprise(db, { uscc, name, areaId, industryClass }, { actor: SYSTEM_ACTOR });
    return uscc;
  };
  const cable = await ent('苏州长缆光通信有限公司', 'shengze', 'leading');
  const textile = await ent('吴江丝韵纺织有限公司', 'shengze', 'other');
  const other = await ent('江苏松陵装备制造有限公司', 'songling', 'highTech');
  const spare = await ent('吴江松陵电子科技有限公司', 'songling', 'highTech');
  const user = (username: string, displayName: string, role: string, scope: Record<string, string> = {}) =>
    createUser(db, { username, displayName, password: TEST_PASSWORD, role, ...scope }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
  return {
    enterprises: { cable, textile, other, spare },
    users: {
      cable: await user('cable', '长缆光通信', 'enterprise', { enterpriseUscc: cable }),
      textile: await user('textile', '丝韵纺织', 'enterprise', { enterpriseUscc: textile }),
      equipment: await user('equipment', '松陵装备', 'enterprise', { enterpriseUscc: other }),
      spare: await user('spare', '松陵电子', 'enterprise', { enterpriseUscc: spare }),
      shengzeReviewer: await user('shengze', '盛泽镇经发局', 'areaReviewer', { areaId: 'shengze' }),
      songlingReviewer: await user('songling', '松陵街道', 'areaReviewer', { areaId: 'songling' }),
      industryReviewer: await user('industry', '区工信局', 'departmentReviewer', { departmentId: 'industry-it-bureau' }),
      scienceReviewer: await user('science', '区科技局', 'departmentReviewer', { departmentId: 'science-technology-bureau' }),
      finance: await user('finance', '区财政局', 'finance'),
      auditor: await user('auditor', '区审计局', 'auditor'),
      admin: await user('admin', '系统管理员', 'admin'),
    },
  };
}
