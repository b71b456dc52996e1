import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { AppsService } from '../apps/apps.service.js';
import { DialpadBadResponseError } from '../integrations/dialpad/dialpad-errors.js';
import type { DialpadUser } from '../integrations/dialpad/dialpad-payloads.js';
import { DialpadClient, MAX_USERS_PAGE } from '../integrations/dialpad/dialpad.client.js';
import { DialpadUsersRepository } from './dialpad-users.repository.js';
import { DialpadUserDto, SyncUsersResultDto } from './dto/dialpad-connect.dto.js';

/** A company larger than this many pages is a cursor loop, not a company. */
const MAX_PAGES = 2_000;

/** Mirrors the connected company's Dialpad users into `dialpad_users`. */
@Injectable()
export class DialpadUsersService {
  private readonly logger = new Logger(DialpadUsersService.name);

  constructor(
    private readonly apps: AppsService,
    private readonly client: DialpadClient,
    private readonly users: DialpadUsersRepository,
  ) {}

  /** Pulls every page (cursor pagination, never more than 100 per page); users Dialpad no longer lists are removed. */
  async sync(appId: AppId): Promise<SyncUsersResultDto> {
    await this.apps.require(appId);
    const syncedAt = new Date();
    const seenCursors = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    let synced = 0;
    do {
      const page = await this.client.listUsers(appId, { cursor, limit: MAX_USERS_PAGE });
      pages++;
      synced += await this.users.upsertMany(appId, uniqueById(page.items), syncedAt);
      if (page.cursor !== null && (seenCursors.has(page.cursor) || pages >= MAX_PAGES)) {
        throw new DialpadBadResponseError('list_users', 'the cursor does not advance');
      }
      cursor = page.cursor ?? undefined;
      if (cursor) seenCursors.add(cursor);
    } while (cursor);
    // only after a complete walk: a failed page must not delete the users it did not reach
    const removed = await this.users.deleteNotSyncedSince(appId, syncedAt);
    this.logger.log(`synced ${synced} Dialpad users of app ${appId} (${pages} pages, ${removed} removed)`);
    return { synced, pages, removed, synced_at: syncedAt };
  }

  async list(appId: AppId, limit: number, offset: number): Promise<DialpadUserDto[]> {
    await this.apps.require(appId);
    return this.users.list(appId, limit, offset);
  }
}

function uniqueById(users: DialpadUser[]): DialpadUser[] {
  return [...new Map(users.map((u) => [u.id, u])).values()];
}
