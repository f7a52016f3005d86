/**
 * The platform's authenticated API as plugins for buildApp: sessions (auth.ts) and every area's routes in one
 * Fastify scope, so the authentication hook runs before each of them. Multipart parsing is registered here
 * once for the scope (evidence uploads, service-case imports).
 */
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { PlatformContext } from '../claims/context.ts';
import { registerAuth, type AuthOptions } from './auth.ts';
import { auditRoutes } from './routes/audit.ts';
import { budgetRoutes } from './routes/budgets.ts';
import { calendarRoutes } from './routes/calendar.ts';
import { claimRoutes } from './routes/claims.ts';
import { creditRoutes } from './routes/credit.ts';
import { enterpriseRoutes } from './routes/enterprises.ts';
import { evidenceRoutes } from './routes/evidence.ts';
import { inboxRoutes } from './routes/inbox.ts';
import { investmentRoutes } from './routes/investment.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { paymentRoutes } from './routes/payments.ts';
import { paymentBatchRoutes } from './routes/payment-batches.ts';
import { proactiveRoutes } from './routes/proactive.ts';
import { publicityRoutes } from './routes/publicity.ts';
import { serviceCaseRoutes } from './routes/service-cases.ts';
import { serviceDeskRoutes } from './routes/service-desk.ts';
import { statsRoutes } from './routes/stats.ts';
import { userRoutes } from './routes/users.ts';

type RoutePlugin = (app: FastifyInstance, opts: { ctx: PlatformContext }) => Promise<void>;

export const ROUTE_PLUGINS: RoutePlugin[] = [
  enterpriseRoutes,
  claimRoutes,
  evidenceRoutes,
  publicityRoutes,
  paymentRoutes,
  paymentBatchRoutes, // payment batches through the bank, and enterprises' bank accounts (src/http/routes/payment-batches.ts)
  creditRoutes,
  ledgerRoutes,
  budgetRoutes,
  statsRoutes,
  auditRoutes,
  serviceCaseRoutes, // service time limits, measures 22–25 (src/http/routes/service-cases.ts)
  userRoutes, // users and sign-in: accounts, one-time passwords, own password, TOTP (src/http/routes/users.ts)
  calendarRoutes, // the working-day calendar and its yearly upkeep (src/http/routes/calendar.ts)
  inboxRoutes, // each user's inbox and the time on queue items (src/http/routes/inbox.ts)
  investmentRoutes, // the investment map, site matching and leads, issue 13 (src/http/routes/investment.ts)
  serviceDeskRoutes, // 政企服务, measure 21: requests, figures, liaisons (src/http/routes/service-desk.ts)
  proactiveRoutes, // 免申即享, issue 11: departments' data on file, objections (src/http/routes/proactive.ts)
];

export type PlatformOptions = AuthOptions;

export function platformRoutes(ctx: PlatformContext, opts: PlatformOptions = {}): Array<(app: FastifyInstance) => Promise<void>> {
  return [
    async (app) => {
      await app.register(multipart, { limits: { fileSize: ctx.config.maxEvidenceBytes, files: 1, fields: 5, parts: 6 } });
      await registerAuth(app, ctx, opts);
      for (const plugin of ROUTE_PLUGINS) await app.register(plugin, { ctx });
    },
  ];
}
