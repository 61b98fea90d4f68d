/**
 * The PostgreSQL schema `cutover` every console table lives in, and the one timestamp column type they all use
 * (timestamptz read as a Date, so the session TimeZone never shifts a time).
 */
import { pgSchema, timestamp } from 'drizzle-orm/pg-core';

export const cutover = pgSchema('cutover');

export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
