import fc from 'fast-check';
import { CALL_STATE_FIXTURES, loadFixture, OTHER_EVENT_FIXTURES } from '../../../../test/fixtures/dialpad/index.js';
import { parseJsonLossless } from '../../../common/lossless-json.js';
import { headerOf, normalizeWebhookEvent, type WebhookEvent } from './webhook-event.js';

function fixture(name: string): Record<string, unknown> {
  return parseJsonLossless(loadFixture(name)) as Record<string, unknown>;
}

function accepted(payload: Record<string, unknown>): WebhookEvent {
  const result = normalizeWebhookEvent(payload);
  if (!result.ok) throw new Error(`expected a valid event, got: ${result.message}`);
  return result.value;
}

function refused(payload: Record<string, unknown>): string {
  const result = normalizeWebhookEvent(payload);
  if (result.ok) throw new Error('expected a refusal');
  return result.message;
}

const at = (ms: number) => new Date(ms);

describe('normalizeWebhookEvent — sorting payloads by kind', () => {
  it.each([
    ...Object.values(CALL_STATE_FIXTURES).map((name) => [name, 'call'] as const),
    ['seed-call-ring.json', 'call'] as const,
    ...OTHER_EVENT_FIXTURES.map((name) => [name, name.split('-')[0] === 'agent' ? 'agent_status' : name.split('-')[0]!] as const),
  ])('%s is a %s event', (name, kind) => {
    expect(accepted(fixture(name)).kind).toBe(kind);
  });

  it('keeps the call event’s own refusals (a call event without its id or state says so)', () => {
    expect(refused({ state: 'ringing', event_timestamp: 1731700001300 })).toBe('payload has no call_id');
    expect(refused({ call_id: 1, event_timestamp: 1731700001300 })).toMatch(/state.*event_type/);
  });

  it('refuses what no kind explains, naming what each kind needs', () => {
    const message = refused({ hello: 'world' });
    expect(message).toMatch(/call_id/);
    expect(message).toMatch(/on_duty_status/);
    expect(refused([] as unknown as Record<string, unknown>)).toMatch(/JSON object/);
  });

  it('never throws, whatever the payload', () => {
    const keys = ['id', 'direction', 'created_date', 'text', 'to_number', 'event', 'contact', 'on_duty_status', 'availability_status', 'target', 'event_id', 'date', 'event_timestamp'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue()), (payload) => {
        const result = normalizeWebhookEvent(payload);
        if (result.ok) {
          const header = headerOf(result.value);
          expect(header.dialpadEventId.length).toBeGreaterThan(0);
          expect(header.dialpadEventId.length).toBeLessThanOrEqual(255 + 200);
        } else {
          expect(result.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('SMS events', () => {
  it('reads a received SMS: the user is the target, the contact the sender', () => {
    expect(accepted(fixture('sms-received.json'))).toEqual({
      kind: 'sms',
      event: {
        eventType: 'sms.received',
        dialpadEventId: 'sms:5362913218412544:inbound::1731840000000',
        smsId: '5362913218412544',
        direction: 'inbound',
        createdAt: at(1731840000000),
        eventAt: at(1731840000000),
        fromNumber: '+14155550123',
        toNumbers: ['+15105550142'],
        text: 'Hi River, is the quote from yesterday still valid?',
        mms: false,
        mmsUrl: null,
        messageStatus: null,
        deliveryResult: null,
        target: { id: '4785129047965696', type: 'user', name: 'River Example', phone: '+15105550142' },
        senderId: null,
        dialpadUserId: '4785129047965696',
        contact: { id: '6131436978913281', name: 'Sam Caller', email: null, phone: '+14155550123', type: null },
      },
    });
  });

  it('reads a sent SMS from a call centre: the user is the sender', () => {
    const { event } = accepted(fixture('sms-sent.json'));
    expect(event).toMatchObject({ eventType: 'sms.sent', direction: 'outbound', senderId: '4785129047965696', dialpadUserId: '4785129047965696', messageStatus: 'pending' });
  });

  it('a delivery-status event of the same message is another event (its status is part of the identity)', () => {
    const sent = headerOf(accepted(fixture('sms-sent.json')));
    const delivered = headerOf(accepted(fixture('sms-sent-delivered.json')));
    expect(delivered.dialpadEventId).not.toBe(sent.dialpadEventId);
    expect(delivered).toMatchObject({ eventType: 'sms.sent', dialpadEventId: 'sms:5362913499430912:outbound:success:1731840060000', dialpadCallId: null });
  });

  it('refuses an SMS without a usable id or direction', () => {
    expect(refused({ ...fixture('sms-sent.json'), direction: 'sideways' })).toMatch(/direction/);
    expect(refused({ ...fixture('sms-sent.json'), id: 'abc' })).toMatch(/id must be/);
  });

  it('reads a single to_number string, and keeps numbers that are not E.164 as sent', () => {
    const { event } = accepted({ ...fixture('sms-received.json'), to_number: '+1 (510) 555-0142', from_number: '12345' });
    expect(event).toMatchObject({ toNumbers: ['+15105550142'], fromNumber: '12345' });
  });
});

describe('agent status events', () => {
  it('reads the agent, the statuses and the call centres', () => {
    expect(accepted(fixture('agent-status-busy.json'))).toEqual({
      kind: 'agent_status',
      event: {
        eventType: 'agent.status',
        dialpadEventId: 'agent:4785129047965696:1731830270040:busy:unavailable',
        dialpadUserId: '4785129047965696',
        agentName: 'River Example',
        agentEmail: 'river.example@example.com',
        agentPhone: '+15105550142',
        onDutyStatus: 'busy',
        availabilityStatus: 'unavailable',
        onDutyStatusReason: null,
        callCenterIds: ['5814237162618880', '6214545667777792'],
        powerdialerMode: true,
        powerdialerSession: 'ad-5793942366830592',
        changedAt: at(1731830270000),
        eventAt: at(1731830270040),
      },
    });
  });

  it('reads the off-duty reason and the docs’ phone_number spelling', () => {
    const payload = fixture('agent-status-unavailable.json');
    const target = { ...(payload.target as Record<string, unknown>), phone: undefined, phone_number: '+15105550142' };
    expect(accepted({ ...payload, target }).event).toMatchObject({ onDutyStatus: 'unavailable', onDutyStatusReason: 'Lunch', callCenterIds: [], agentPhone: '+15105550142' });
  });

  it('accepts a status that does not say whose it is (no row, but stored and announced)', () => {
    const { target: _t, ...payload } = fixture('agent-status-available.json');
    expect(accepted(payload).event).toMatchObject({ dialpadUserId: null, onDutyStatus: 'available' });
  });
});

describe('contact events', () => {
  it('reads the contact and its event word', () => {
    expect(accepted(fixture('contact-updated.json')).event).toMatchObject({
      eventType: 'contact.updated',
      contact: { id: '5908860123456789', name: 'Sam Caller', email: 'sam.caller@example.com', phone: '+14155550123', type: 'shared' },
      phones: ['+14155550123'],
      emails: ['sam.caller@example.com', 'sam@acme.example.com'],
      companyName: 'Acme Example',
      jobTitle: 'Head of Purchasing',
      eventAt: null,
    });
    expect(accepted(fixture('contact-created.json')).event.eventType).toBe('contact.created');
    expect(accepted(fixture('contact-deleted.json')).event.eventType).toBe('contact.deleted');
  });

  it('has no timestamp to tell updates apart: the identity hashes the payload (a redelivery is the same event, another update is not)', () => {
    const a = headerOf(accepted(fixture('contact-updated.json'))).dialpadEventId;
    expect(headerOf(accepted(fixture('contact-updated.json'))).dialpadEventId).toBe(a);
    expect(a).toMatch(/^contact:5908860123456789:updated:[0-9a-f]{32}$/);
    const other = fixture('contact-updated.json');
    (other.contact as Record<string, unknown>).job_title = 'CEO';
    expect(headerOf(accepted(other)).dialpadEventId).not.toBe(a);
  });

  it('names the contact from first and last names when there is no display name', () => {
    const payload = fixture('contact-created.json');
    (payload.contact as Record<string, unknown>).display_name = null;
    expect(accepted(payload).event).toMatchObject({ contact: { name: 'Sam Caller' } });
  });

  it('refuses an event word that is not a word', () => {
    expect(refused({ ...fixture('contact-created.json'), event: 'Created!' })).toMatch(/event must be/);
  });
});
