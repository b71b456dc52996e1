import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { AppId } from '../common/app-id.js';
import { AgentStatusRepository, type AgentStatusUpsert } from '../agent-status/agent-status.repository.js';
import type { NormalizedAgentStatus } from '../integrations/dialpad/wire/agent-status-event.js';
import type { NormalizedContactEvent } from '../integrations/dialpad/wire/contact-event.js';
import type { NormalizedSms } from '../integrations/dialpad/wire/sms-event.js';
import { SmsRepository } from '../sms/sms.repository.js';
import { UserMappingLookup } from '../user-mapping/user-mapping.lookup.js';
import { type CallEventKind, CallEventsWriter, type CallWriteItem } from './call-events.writer.js';
import type { ProcessedEvent } from './processed-events.bus.js';

interface ItemBase {
  /** webhook_events.id */
  eventId: string;
  appId: AppId;
  payloadJson: string;
  /** webhook_events.received_at exactly, as text (a Date drops its microseconds): with eventId, the stored row's key */
  receivedAt: string;
}

/** One stored event to apply, by kind. */
export type WriteItem = ItemBase &
  (
    | { kind: CallEventKind; event: CallWriteItem['event']; insights: CallWriteItem['insights'] }
    | { kind: 'sms'; event: NormalizedSms }
    | { kind: 'agent_status'; event: NormalizedAgentStatus }
    | { kind: 'contact'; event: NormalizedContactEvent }
  );

/** What an event changed, as the message and the after-commit listeners need it. */
export type WriteResult = Pick<ProcessedEvent, 'call' | 'voicemail' | 'voicemailChange' | 'details' | 'detailsChanged' | 'sms' | 'agentStatus' | 'contactEvent'>;

const NOTHING: WriteResult = { call: null, voicemail: null, voicemailChange: null, details: null, detailsChanged: false, sms: null, agentStatus: null, contactEvent: null };

/**
 * Applies a batch of events of every kind with a constant number of statements per kind
 * (docs/architecture.md, "Webhook to screen pop"): calls and voicemails through
 * CallEventsWriter, SMS in one upsert (one more round per extra event of the same message),
 * agent statuses in one upsert, one CRM-user lookup for the SMS and agents of the batch.
 * Contact events change no table: their message is the whole effect.
 */
@Injectable()
export class EventWriter {
  constructor(
    private readonly calls: CallEventsWriter,
    private readonly sms: SmsRepository,
    private readonly agents: AgentStatusRepository,
    private readonly mappings: UserMappingLookup,
  ) {}

  async apply(client: PoolClient, items: WriteItem[]): Promise<Map<string, WriteResult>> {
    const callItems: CallWriteItem[] = [];
    const smsItems: (ItemBase & { event: NormalizedSms })[] = [];
    const agentItems: (ItemBase & { event: NormalizedAgentStatus })[] = [];
    const results = new Map<string, WriteResult>();
    for (const item of items) {
      switch (item.kind) {
        case 'call':
        case 'voicemail':
          callItems.push({
            eventId: item.eventId,
            appId: item.appId,
            event: item.event,
            kind: item.kind,
            payloadJson: item.payloadJson,
            receivedAt: item.receivedAt,
            insights: item.insights,
          });
          break;
        case 'sms':
          smsItems.push(item);
          break;
        case 'agent_status':
          agentItems.push(item);
          break;
        case 'contact':
          results.set(item.eventId, { ...NOTHING, contactEvent: item.event });
          break;
      }
    }

    for (const [eventId, r] of await this.calls.apply(client, callItems)) results.set(eventId, { ...NOTHING, ...r });

    const users = [...smsItems, ...agentItems].flatMap((i) => (i.event.dialpadUserId ? [{ appId: i.appId, dialpadUserId: i.event.dialpadUserId }] : []));
    const crmUsers = await this.mappings.crmUsersFor(client, users);
    const crmOf = (i: ItemBase & { event: { dialpadUserId: string | null } }) =>
      i.event.dialpadUserId ? (crmUsers.get(`${i.appId}/${i.event.dialpadUserId}`) ?? null) : null;

    if (smsItems.length > 0) {
      await this.sms.upsertMany(client, smsItems.map((i) => ({ appId: i.appId, sms: i.event, crmUserId: crmOf(i), payloadJson: i.payloadJson })));
      for (const i of smsItems) results.set(i.eventId, { ...NOTHING, sms: { event: i.event, crmUserId: crmOf(i) } });
    }

    const upserts: AgentStatusUpsert[] = [];
    for (const i of agentItems) {
      const { dialpadUserId } = i.event;
      // a status that does not say whose it is is stored in the log and announced, but keys no row
      if (dialpadUserId !== null) upserts.push({ appId: i.appId, status: { ...i.event, dialpadUserId }, crmUserId: crmOf(i), payloadJson: i.payloadJson });
      results.set(i.eventId, { ...NOTHING, agentStatus: { event: i.event, crmUserId: crmOf(i) } });
    }
    if (upserts.length > 0) await this.agents.upsertMany(client, upserts);
    return results;
  }
}
