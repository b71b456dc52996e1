import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { DialpadUsersRepository } from '../dialpad-connect/dialpad-users.repository.js';
import type { UserMappingInputDto } from './dto/user-mapping.dto.js';
import type { MappingRow } from './user-mapping.repository.js';

/**
 * Turns mapping rows that name the Dialpad user by e-mail into rows with the
 * user's id, through the app's synced `dialpad_users`. Every unknown or
 * ambiguous e-mail is reported, naming its row; nothing is resolved halfway.
 */
@Injectable()
export class DialpadUserResolver {
  constructor(private readonly users: DialpadUsersRepository) {}

  /** `pathOf(i)`: how row i is named in messages (`mappings.3.`, or `` for a single row). */
  async resolve(appId: AppId, rows: UserMappingInputDto[], pathOf: (i: number) => string): Promise<MappingRow[]> {
    const emails = rows.map((r) => r.dialpad_user_email).filter((e): e is string => e !== undefined);
    const byEmail = await this.users.idsByEmails(appId, emails);
    const problems: string[] = [];
    const resolved = rows.map((row, i): MappingRow => {
      const { dialpad_user_email: email, dialpad_user_id: id, ...rest } = row;
      if (email === undefined) return { ...rest, dialpad_user_id: id! };
      const ids = byEmail.get(email.toLowerCase()) ?? [];
      if (ids.length !== 1) {
        const where = `${pathOf(i)}dialpad_user_email`;
        problems.push(
          ids.length === 0
            ? `${where}: no Dialpad user of this app has the e-mail ${email} (sync them with POST /internal/apps/${appId}/dialpad/sync-users)`
            : `${where}: ${email} belongs to ${ids.length} Dialpad users (${ids.join(', ')}): give dialpad_user_id instead`,
        );
        return { ...rest, dialpad_user_id: '' };
      }
      return { ...rest, email: rest.email ?? email.toLowerCase(), dialpad_user_id: ids[0]! };
    });
    if (problems.length > 0) throw new DomainError('INVALID_INPUT', problems.join('; '));
    return resolved;
  }
}
