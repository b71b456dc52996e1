import { Injectable } from '@nestjs/common';
import { parse as parseCsv } from 'csv-parse/sync';
import type { CountryCode } from 'libphonenumber-js/max';
import type { AppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { toE164 } from '../policy/index.js';
import { DncList } from './dnc-list.service.js';
import { DncRepository } from './dnc.repository.js';
import type { DncEntryDto, DncImportResultDto, DncPageDto } from './dto/dnc.dto.js';

const DEFAULT_REGION = 'US';
const INVALID_SHOWN = 100;

/** Adding, importing, listing and removing do-not-call numbers (E.164, normalised with libphonenumber-js). */
@Injectable()
export class DncService {
  constructor(
    private readonly repository: DncRepository,
    private readonly list: DncList,
  ) {}

  async add(appId: AppId, input: { phone: string; reason?: string; region?: string }, addedBy: string): Promise<DncEntryDto & { added: boolean }> {
    const phone = normalise(input.phone, input.region);
    if (!phone) throw new DomainError('INVALID_INPUT', `phone: ${JSON.stringify(input.phone.slice(0, 40))} is not a valid phone number`);
    const added = (await this.repository.add(appId, [phone], input.reason ?? null, addedBy)) > 0;
    if (added) await this.list.changed(appId);
    return { phone, reason: input.reason ?? null, added_by: addedBy, created_at: new Date(), added };
  }

  /** Adds a number on the agent's word (the Do-not-call disposition). */
  async addFromDisposition(appId: AppId, e164: string, agentEmail: string): Promise<void> {
    if ((await this.repository.add(appId, [e164], 'disposition: do not call', `agent:${agentEmail}`)) > 0) await this.list.changed(appId);
  }

  async import(appId: AppId, input: { csv: string; reason?: string; region?: string }, addedBy: string): Promise<DncImportResultDto> {
    const phones: string[] = [];
    const invalid: { line: number; value: string }[] = [];
    let invalidCount = 0;
    let records: string[][];
    try {
      records = parseCsv(input.csv, { relax_column_count: true, skip_empty_lines: false, trim: true, delimiter: [',', ';', '\t'] });
    } catch (err) {
      throw new DomainError('INVALID_INPUT', `csv: ${(err as Error).message}`);
    }
    const header = (records[0] ?? []).map((c) => c.toLowerCase());
    const named = header.findIndex((c) => c === 'phone' || c === 'number' || c === 'phone_number');
    const column = named >= 0 ? named : 0;
    records.forEach((cells, i) => {
      const value = cells[column] ?? '';
      if (value === '' || (i === 0 && named >= 0)) return;
      const phone = normalise(value, input.region);
      if (phone) phones.push(phone);
      else if (!(i === 0 && /[a-z]/i.test(value))) {
        // a first line with letters is a header, not a bad number
        invalidCount++;
        if (invalid.length < INVALID_SHOWN) invalid.push({ line: i + 1, value: value.slice(0, 40) });
      }
    });
    const unique = [...new Set(phones)];
    const added = await this.repository.add(appId, unique, input.reason ?? null, addedBy);
    if (added > 0) await this.list.changed(appId);
    return { added, already_listed: unique.length - added, invalid, invalid_count: invalidCount };
  }

  async page(appId: AppId, query: { limit?: number; offset?: number; phone?: string }): Promise<DncPageDto> {
    return this.repository.list(appId, { limit: query.limit ?? 50, offset: query.offset ?? 0, contains: query.phone?.replace(/^\+/, '') });
  }

  async remove(appId: AppId, rawPhone: string): Promise<{ phone: string; removed: boolean }> {
    const phone = normalise(rawPhone, undefined);
    if (!phone) throw new DomainError('INVALID_INPUT', `phone: ${JSON.stringify(rawPhone.slice(0, 40))} is not a valid phone number`);
    const removed = await this.repository.remove(appId, phone);
    if (!removed) throw new DomainError('NOT_FOUND', `${phone} is not on the do-not-call list`);
    await this.list.changed(appId);
    return { phone, removed };
  }
}

function normalise(raw: string, region: string | undefined): string | null {
  return toE164(raw, (region ?? DEFAULT_REGION) as CountryCode);
}
