/**
 * The zod schemas settings share, each over the raw environment string: numbers in a range, on/off flags, URLs,
 * times and tokens.
 */
import { z } from 'zod';

export const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

export const positiveNumber = (max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number().gt(0).max(max));

export const optionalText = z.string().min(1).optional();

export const zeroOrOne = z.enum(['0', '1']).transform((value) => value === '1');

export const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))
  .optional();

export const postgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol))
  .optional();

export const isoTime = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)))
  .transform((value) => new Date(value))
  .optional();

/** A bearer token that is long and varied enough not to be guessed ("changeme" and "xxxx…" are refused). */
export const token = z
  .string()
  .refine((value) => value.length >= 20 && new Set(value).size >= 8 && !/\s/.test(value))
  .optional();
