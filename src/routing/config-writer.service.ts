import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConfigVersionService } from '../database/config-version.service.js';
import { DatabaseService } from '../database/database.service.js';
import { conflict } from '../common/gateway-error.js';

const UNIQUE_VIOLATION = '23505';

function sqlStateOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Every configuration change goes through here: the change and the version bump commit together
 * (so other instances hear of it), then this instance's snapshots (the route table, the
 * credentials) are rebuilt before the admin call answers, so the caller's next proxied request
 * already sees it.
 */
@Injectable()
export class ConfigWriter {
  constructor(
    private readonly db: DatabaseService,
    private readonly versions: ConfigVersionService,
  ) {}

  change<T>(work: (manager: EntityManager) => Promise<T>, onDuplicate: () => string): Promise<T> {
    return this.changeWhen(work, () => true, onDuplicate);
  }

  /**
   * A write that may turn out to change nothing (a sweep that found nothing to delete, say): the
   * version is bumped, and every instance rebuilds, only when `changed` says so.
   */
  async changeWhen<T>(work: (manager: EntityManager) => Promise<T>, changed: (value: T) => boolean, onDuplicate: () => string): Promise<T> {
    let result: T;
    let version = 0;
    let bumped = false;
    try {
      result = await this.db.write(async (manager) => {
        const value = await work(manager);
        bumped = changed(value);
        if (bumped) version = await this.versions.bump(manager);
        return value;
      });
    } catch (error) {
      // Two admins racing for one name: the loser learns it here rather than from a 500.
      if (sqlStateOf(error) === UNIQUE_VIOLATION) throw conflict(onDuplicate());
      throw error;
    }
    if (bumped) await this.versions.announce(version);
    return result;
  }
}
