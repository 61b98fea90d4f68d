/**
 * The two ways an import ends without a world: refused before it started, or failed and rolled back.
 */

/** Refused before anything changed: a bad option, a missing file, a database that is not a rehearsal world. */
export class ImportRefused extends Error {}
/** A statement the pipeline cannot do without failed, or the dump lacks what the world needs: rolled back. */
export class ImportFailed extends Error {}
