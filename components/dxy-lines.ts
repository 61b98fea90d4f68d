/**
 * The two DXY writers' lines, drawn alike in every chart that shows both: legacy thick and amber,
 * data_bars thin and sky blue on top of it (dashed by each chart), so that lines lying on each other
 * still show both — and the sparkline's hand-drawn legend matches.
 */
export const LEGACY_LINE = { stroke: '#d97706', strokeWidth: 3, dot: false, isAnimationActive: false } as const;
export const DATA_BARS_LINE = { stroke: '#0369a1', strokeWidth: 1.5, dot: false, isAnimationActive: false } as const;
