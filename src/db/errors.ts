/**
 * Recognising PostgreSQL errors by SQLSTATE. node-postgres and PGlite both raise errors carrying the
 * server's `code` (and `constraint` where there is one), so services can turn a race that a constraint
 * caught into the same friendly error the pre-check would have given.
 */
interface PgErrorFields {
  code?: string;
  constraint?: string;
}

function fields(err: unknown): PgErrorFields {
  return typeof err === 'object' && err !== null ? (err as PgErrorFields) : {};
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
export const CHECK_VIOLATION = '23514';
export const RESTRICT_VIOLATION = '23001';
export const SERIALIZATION_FAILURE = '40001';
export const DEADLOCK_DETECTED = '40P01';

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const f = fields(err);
  return f.code === UNIQUE_VIOLATION && (constraint === undefined || f.constraint === constraint);
}

export function pgErrorCode(err: unknown): string | undefined {
  return fields(err).code;
}
