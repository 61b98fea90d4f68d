/**
 * The two pipelines the function SQL describes: `production` — the real database's functions, all
 * SECURITY DEFINER in schema public, some with a pinned search path — and `plan` — the functions the
 * written plan assumed. The rehearsal world creates either; phase 5 knows both shapes of the
 * aggregator it replaces.
 */
export type PipelineVariant = 'production' | 'plan';

/**
 * Production's hand-applied functions pin their search path; a replacement that loses this
 * `proconfig` shows in phase 5's comparison, so the definitions here carry it where production does.
 */
export const PINNED_SEARCH_PATH = "SET search_path TO 'public'";
