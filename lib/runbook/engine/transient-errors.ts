/**
 * Errors that say nothing about the phase's work, only that the database was briefly out of
 * reach: a restart, a failover, a dropped connection, a serialization conflict. A step that hits
 * one has rolled back with its checkpoint, so the runner retries it instead of failing the run.
 */

/** SQLSTATE classes and codes worth a retry (PostgreSQL appendix A). */
const TRANSIENT_SQLSTATE_PREFIXES = ['08']; // connection exception
const TRANSIENT_SQLSTATES = new Set([
  '57P01', // admin_shutdown (fast/immediate shutdown, pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** postgres.js and Node socket error codes for a connection that failed or went away. */
const TRANSIENT_CLIENT_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

export function isTransientDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return (
    TRANSIENT_CLIENT_CODES.has(code) ||
    TRANSIENT_SQLSTATES.has(code) ||
    TRANSIENT_SQLSTATE_PREFIXES.some((prefix) => code.startsWith(prefix))
  );
}
