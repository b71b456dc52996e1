import { Foundation1732230000000 } from './1732230000000-foundation.js';
import { EventsCalls1732230100000 } from './1732230100000-events-calls.js';
import { RealtimeReplay1732230200000 } from './1732230200000-realtime-replay.js';
import { Dialpad1732230300000 } from './1732230300000-dialpad.js';
import { Sheets1732230400000 } from './1732230400000-sheets.js';
import { Dialer1732230500000 } from './1732230500000-dialer.js';
import { DialpadStates1732230600000 } from './1732230600000-dialpad-states.js';
import { Compliance1732230700000 } from './1732230700000-compliance.js';
import { Conversations1732230800000 } from './1732230800000-conversations.js';
import { EventLogPartitions1732230900000 } from './1732230900000-event-log-partitions.js';
import { SheetsQueue1732231000000 } from './1732231000000-sheets-queue.js';
import { CallDetails1732231100000 } from './1732231100000-call-details.js';
import { ImmutableColumns1732231200000 } from './1732231200000-immutable-columns.js';
import { IngestDedup1732231300000 } from './1732231300000-ingest-dedup.js';
import { Lz4Compression1732231400000 } from './1732231400000-lz4-compression.js';

/** Every migration, in order. Listed explicitly (no glob) so ESM builds and tests load the same set. */
export const migrations = [
  Foundation1732230000000,
  EventsCalls1732230100000,
  RealtimeReplay1732230200000,
  Dialpad1732230300000,
  Sheets1732230400000,
  Dialer1732230500000,
  DialpadStates1732230600000,
  Compliance1732230700000,
  Conversations1732230800000,
  EventLogPartitions1732230900000,
  SheetsQueue1732231000000,
  CallDetails1732231100000,
  ImmutableColumns1732231200000,
  IngestDedup1732231300000,
  Lz4Compression1732231400000,
];
