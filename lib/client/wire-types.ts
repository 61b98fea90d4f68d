/**
 * The JSON the console's pages hand to client components and its `app/api` routes answer, typed
 * once here (never exported from a client component: a type import then pulls a component graph
 * along and made import cycles). Each is the query function's result after JSON.stringify/parse.
 */
import type { Jsonified } from '../json';
import type { DxyMinutesInHour } from '../monitor/dxy-minutes-per-hour';
import type { PipelineSignals } from '../monitor/pipeline-signals';
import type { MonitorState } from '../monitor/read-monitor-state';
import type { ApprovalRow } from '../runbook/read/list-approvals';
import type { ConsoleStatus } from '../runbook/read/read-console-status';
import type { PhaseLive } from '../runbook/read/read-phase-detail';

/** `GET /api/status`: the overview. */
export type ConsoleStatusJson = Jsonified<ConsoleStatus>;

/** `GET /api/monitor`: the 24-hour window. */
export type MonitorStateJson = Jsonified<MonitorState>;

/** `GET /api/monitor/signals`: the pipeline's own signals. */
export type PipelineSignalsJson = Jsonified<PipelineSignals>;

/** `GET /api/phases/:phase`: a phase's runs, latest run and log. */
export type PhaseLiveJson = Jsonified<PhaseLive>;

/** `GET /api/dxy-minutes-per-hour`: the overview's sparkline. */
export type DxyMinutesJson = Jsonified<DxyMinutesInHour>[];

/** One approval request as the approvals page passes it to its card. */
export type ApprovalJson = Jsonified<ApprovalRow>;
