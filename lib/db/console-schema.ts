/**
 * The console's own state, in schema `cutover` (docs/architecture.md "PostgreSQL"). Separate from the pipeline's
 * tables so it can be dropped once the migration is closed, yet in the same database so that a
 * phase's data change and its recorded result commit in one transaction.
 *
 * The tables are declared by group in lib/db/console-schema/; this module is the schema as one whole, which the
 * drizzle client (lib/db/connection.ts) and drizzle-kit (drizzle.config.ts) each take as a single module.
 */
export * from './console-schema/audit-tables';
export * from './console-schema/auth-tables';
export { cutover } from './console-schema/cutover-schema';
export * from './console-schema/monitor-tables';
export * from './console-schema/rehearsal-tables';
export * from './console-schema/run-tables';
export * from './console-schema/validation-tables';
