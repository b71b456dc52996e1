import { describe, expect, it } from '@jest/globals';
import { loadFixture } from '../../test/fixtures/dialpad/index.js';
import { asAppId } from '../common/app-id.js';
import { parseJsonLossless } from '../common/lossless-json.js';
import { normalizeWebhookEvent, type WebhookEvent } from '../integrations/dialpad/wire/webhook-event.js';
import { toEventMessage } from './event-message.js';
import type { ProcessedEvent } from './processed-events.bus.js';

const APP = asAppId('00000000-0000-4000-8000-000000000001');

function event(name: string): WebhookEvent {
  const result = normalizeWebhookEvent(parseJsonLossless(loadFixture(name)) as Record<string, unknown>);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function processed(over: Partial<ProcessedEvent>): ProcessedEvent {
  return {
    eventId: '42',
    appId: APP,
    eventType: 'x',
    call: null,
    voicemail: null,
    sms: null,
    agentStatus: null,
    contactEvent: null,
    occurredAt: new Date(1731840000000),
    streamSeq: null,
    messageJson: null,
    ...over,
  };
}

describe('toEventMessage — the kinds other than calls', () => {
  it('an SMS: its own facts, the contact, the user the filters read, the mapped CRM user', () => {
    const e = event('sms-sent.json');
    if (e.kind !== 'sms') throw new Error('not an SMS');
    expect(toEventMessage(processed({ eventType: 'sms.sent', sms: { event: e.event, crmUserId: 'river@crm' } }))).toEqual({
      event_id: '42',
      event: 'sms.sent',
      timestamp: '2024-11-17T10:40:00.000Z',
      sms_id: '5362913499430912',
      direction: 'outbound',
      from_number: '+15105550160',
      to_numbers: ['+14155550123'],
      text: 'Yes it is, until the end of the month. River',
      mms: false,
      mms_url: null,
      message_status: 'pending',
      user_id: '4785129047965696',
      contact: { id: '6131436978913281', name: 'Sam Caller', email: null, phone: '+14155550123', type: null },
      target: { id: '5814237162618880', type: 'callcenter', name: 'Support Line', phone: '+15105550160' },
      sender_id: '4785129047965696',
      target_crm_user: 'river@crm',
    });
  });

  it('an agent status, without target_crm_user when the agent is not mapped', () => {
    const e = event('agent-status-occupied.json');
    if (e.kind !== 'agent_status') throw new Error('not an agent status');
    const message = toEventMessage(processed({ eventType: 'agent.status', agentStatus: { event: e.event, crmUserId: null } }));
    expect(message).toMatchObject({ event: 'agent.status', user_id: '4785129047965696', on_duty_status: 'occupied', contact: null });
    expect(message).not.toHaveProperty('target_crm_user');
  });

  it('a contact event: no user, so only unfiltered sockets get it', () => {
    const e = event('contact-deleted.json');
    if (e.kind !== 'contact') throw new Error('not a contact event');
    expect(toEventMessage(processed({ eventType: 'contact.deleted', contactEvent: e.event }))).toMatchObject({
      event: 'contact.deleted',
      user_id: null,
      contact: { id: '5908860123456789', name: 'Sam Caller' },
      phones: ['+14155550123'],
    });
  });

  it('nothing to show without a call, an SMS, a status or a contact', () => {
    expect(toEventMessage(processed({}))).toBeNull();
  });
});
