import { Foundation1732230000000 } from './1732230000000-foundation.js';

/** Every migration, in order. Listed explicitly (no glob) so ESM builds and tests load the same set. */
export const migrations = [Foundation1732230000000];
