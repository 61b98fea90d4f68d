/** The statements each copy batch writes with, by method: what the preview shows and the runner may execute. */
import { type PlannedStatement, planned } from '../../engine/statements';
import { copyLegacyIntoEmptyRangeSql, copyLegacyRangeSql, REGENERATE_RANGE_SQL } from '../shared/copy-legacy';
import { analyzeStatements } from './analyze-after-copy';
import { catchUpStatements } from './copy-catch-up';
import type { CopyMethod } from './copy-checkpoint';
import { COPY_NOT_REGENERATED_SQL } from './copy-not-regenerated';

const BATCH_RANGE = ['the batch’s first minute (from the checkpoint)', 'the end of the batch (exclusive)'];

/** What each batch writes with, by method: the preview's statements and the runner's are these texts. */
export function copyStatements(method: CopyMethod): PlannedStatement[] {
  return method === 'copy'
    ? [
        // A batch whose range holds no DXY row in data_bars (every batch of a first copy) inserts plainly; any
        // other, or one whose key was taken meanwhile, upserts and revises the copy's own rows.
        planned('copy', copyLegacyIntoEmptyRangeSql(), BATCH_RANGE),
        planned('copy', copyLegacyRangeSql(), BATCH_RANGE),
        ...catchUpStatements(),
        ...analyzeStatements(),
      ]
    : [
        planned('copy', REGENERATE_RANGE_SQL, BATCH_RANGE),
        planned('copy', COPY_NOT_REGENERATED_SQL, [
          'the batch’s legacy minutes calc_dxy_range_1m did not write',
          'the reason for each (the components missing)',
        ]),
        ...catchUpStatements(),
        ...analyzeStatements(),
      ];
}
