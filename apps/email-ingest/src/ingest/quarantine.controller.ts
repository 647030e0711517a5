import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { OpsTokenGuard } from '../ops/ops-token.guard';
import { QuarantineError, type QuarantineErrorCode } from './quarantine.errors';
import { QuarantineService, type ReprocessOutcome } from './quarantine.service';
import {
  type QuarantinedMail,
  type QuarantinePageQuery,
  type QuarantineState,
  QuarantineStore,
} from './quarantine.store';

export const QUARANTINE_PAGE_DEFAULT = 50;
export const QUARANTINE_PAGE_MAX = 200;

/** A quarantine record as an operator sees it: where the mail came from and why it is here, never its bytes. */
export interface QuarantinedMailView {
  id: string;
  mailboxKey: string;
  uidValidity: string;
  uid: number;
  reason: string;
  size: number;
  truncated: boolean;
  state: QuarantineState;
  quarantinedAt: Date;
  reprocessedAt?: Date;
  messageId?: string;
  lastAttemptAt?: Date;
  lastError?: string;
}

export interface QuarantineListView {
  items: QuarantinedMailView[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
}

export interface ReprocessView {
  id: string;
  outcome: ReprocessOutcome['kind'];
  state: QuarantineState;
  /** The normalized Message-ID published (or found already published). */
  messageId?: string;
  /** Why the mail is still quarantined. */
  reason?: string;
}

/**
 * Operator endpoints of the quarantine (bearer token, see OpsTokenGuard). Ids contain "/": they are sent
 * URL-encoded (`encodeURIComponent`) in the path.
 */
@Controller('quarantine')
@UseGuards(OpsTokenGuard)
export class QuarantineController {
  constructor(
    private readonly store: QuarantineStore,
    private readonly quarantine: QuarantineService,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>): Promise<QuarantineListView> {
    const page = await this.store.page(parseListQuery(query));
    return { items: page.mails.map(toView), ...(page.next ? { next: page.next } : {}) };
  }

  /** Runs the mail through the pipeline again; 200 with the outcome, whatever it is (still quarantined included). */
  @Post(':id/reprocess')
  @HttpCode(200)
  async reprocess(@Param('id') id: string): Promise<ReprocessView> {
    let outcome: ReprocessOutcome;
    try {
      outcome = await this.quarantine.reprocess(id);
    } catch (error) {
      if (error instanceof QuarantineError) throw httpError(error);
      throw error;
    }
    switch (outcome.kind) {
      case 'published':
      case 'duplicate':
        return { id, outcome: outcome.kind, state: 'reprocessed', messageId: outcome.messageId };
      case 'already-reprocessed':
        return {
          id,
          outcome: outcome.kind,
          state: 'reprocessed',
          ...(outcome.messageId ? { messageId: outcome.messageId } : {}),
        };
      case 'quarantined':
        return { id, outcome: outcome.kind, state: 'quarantined', reason: outcome.reason };
    }
  }
}

function toView(mail: QuarantinedMail): QuarantinedMailView {
  return {
    id: mail._id,
    mailboxKey: mail.mailboxKey,
    uidValidity: mail.uidValidity,
    uid: mail.uid,
    reason: mail.reason,
    size: mail.size,
    truncated: mail.truncated ?? false,
    state: mail.state,
    quarantinedAt: mail.quarantinedAt,
    ...(mail.reprocessedAt ? { reprocessedAt: mail.reprocessedAt } : {}),
    ...(mail.messageId ? { messageId: mail.messageId } : {}),
    ...(mail.lastAttemptAt ? { lastAttemptAt: mail.lastAttemptAt } : {}),
    ...(mail.lastError ? { lastError: mail.lastError } : {}),
  };
}

const STATES: readonly QuarantineState[] = ['quarantined', 'reprocessed'];

/** `limit` (1–200, default 50), `state`, `mailbox` (a mailbox id) and `after` (the previous page's `next`). */
function parseListQuery(query: Record<string, unknown>): QuarantinePageQuery {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || value.length > 1_000)
      throw new BadRequestException(`${name} must be one value`);
    return value;
  };
  const limitText = text('limit');
  const limit = limitText === undefined ? QUARANTINE_PAGE_DEFAULT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > QUARANTINE_PAGE_MAX) {
    throw new BadRequestException(`limit must be an integer from 1 to ${QUARANTINE_PAGE_MAX}`);
  }
  const state = text('state');
  if (state !== undefined && !STATES.includes(state as QuarantineState)) {
    throw new BadRequestException(`state must be one of ${STATES.join(', ')}`);
  }
  const mailboxId = text('mailbox');
  if (mailboxId !== undefined && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(mailboxId)) {
    throw new BadRequestException('mailbox must be a mailbox id');
  }
  const after = text('after');
  return {
    limit,
    ...(state ? { state: state as QuarantineState } : {}),
    ...(mailboxId ? { mailboxId } : {}),
    ...(after ? { after } : {}),
  };
}

const STATUS_OF: Record<QuarantineErrorCode, HttpStatus> = {
  QUARANTINE_NOT_FOUND: HttpStatus.NOT_FOUND,
  QUARANTINE_MAILBOX_NOT_CONFIGURED: HttpStatus.CONFLICT,
  QUARANTINE_RAW_MAIL_MISSING: HttpStatus.CONFLICT,
  QUARANTINE_MAIL_GONE: HttpStatus.CONFLICT,
};

/** Nest's error body (statusCode, error, message) plus the stable code. */
function httpError(error: QuarantineError): HttpException {
  const status = STATUS_OF[error.code];
  return new HttpException(
    {
      statusCode: status,
      error: status === HttpStatus.NOT_FOUND ? 'Not Found' : 'Conflict',
      code: error.code,
      message: error.message,
    },
    status,
  );
}
