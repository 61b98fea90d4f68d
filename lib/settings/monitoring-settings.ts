/**
 * Where alerts go, who may scrape the metrics, and the thresholds of the pipeline alerts (group `monitoring` of
 * the settings table).
 */
import { declare } from './setting-declaration';
import { httpUrl, token, wholeNumber } from './value-schemas';

export const MONITORING_SETTINGS = {
  ALERT_WEBHOOK_URL: declare({
    group: 'monitoring',
    schema: httpUrl,
    default: null,
    allowed: 'an http:// or https:// URL',
    meaning: 'Receives a JSON message once for each FAIL hour of the 24-hour window.',
    secret: true,
    example: 'https://alerts.example.com/hooks/dxy-cutover',
  }),
  CUTOVER_METRICS_TOKEN: declare({
    group: 'monitoring',
    schema: token,
    default: null,
    allowed: 'at least 20 characters, 8 of them different, no spaces (e.g. `openssl rand -hex 24`)',
    meaning: 'Lets a Prometheus scraper read `GET /api/metrics` with `Authorization: Bearer <token>`.',
    secret: true,
  }),
  CUTOVER_ALERT_CURSOR_STALL_MINUTES: declare({
    group: 'monitoring',
    schema: wholeNumber(1, 1440),
    default: '15',
    allowed: 'a whole number of minutes, 1–1440',
    meaning:
      'Open-market minutes an aggregation cursor may trail the data frontier beyond its own window and run interval before it counts as stalled; a stalled DXY 5m cursor is alerted once per incident (docs/operations.md "Pipeline signals").',
  }),
  CUTOVER_ALERT_BRIDGE_LAG_MINUTES: declare({
    group: 'monitoring',
    schema: wholeNumber(1, 1440),
    default: '5',
    allowed: 'a whole number of minutes, 1–1440',
    meaning:
      'Between phases 5 and 7, a legacy DXY minute older than this and still missing in data_bars is bridge lag, alerted once per incident.',
  }),
  CUTOVER_ALERT_WAITING_MINUTES: declare({
    group: 'monitoring',
    schema: wholeNumber(1, 10_080),
    default: '60',
    allowed: 'a whole number of minutes (at most a week)',
    meaning:
      'A phase run awaiting approval, or waiting on a condition, for longer than this is alerted once as stuck waiting.',
  }),
} as const;
