import {
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import type { ChannelAccountState } from '@ponte/contracts';
import { WebAdminGuard } from './web-admin.guard';
import type { WebSession } from './web-session';
import { WebSessionRegistry } from './web-session.registry';

export interface WebSessionView {
  id: string;
  channelAccountId: string;
  state: ChannelAccountState;
  reason?: string;
  since: string;
  /** Our WhatsApp id once connected. */
  account?: string;
  /** Failed attempts since the session was last connected. */
  failures: number;
  /** Whether `GET /sessions/:id/qr` has a code to scan. */
  qr: boolean;
  /** The group chats whose messages are published. */
  groups: 'all' | string[];
}

export interface WebSessionQr {
  id: string;
  /** The QR code's content: render it (any QR library, `qrencode -t ANSI`) and scan it. */
  qr: string;
  receivedAt: string;
}

/** The whatsapp-web.js sessions for operators: their state, the QR code to pair one, and a restart. */
@Controller('sessions')
@UseGuards(WebAdminGuard)
export class WebSessionController {
  constructor(private readonly sessions: WebSessionRegistry) {}

  @Get()
  list(): { sessions: WebSessionView[] } {
    return { sessions: this.sessions.all().map(viewOf) };
  }

  @Get(':id')
  one(@Param('id') id: string): WebSessionView {
    return viewOf(this.find(id));
  }

  @Get(':id/qr')
  qr(@Param('id') id: string): WebSessionQr {
    const snapshot = this.find(id).snapshot();
    if (!snapshot.qr) {
      throw new ConflictException(
        `session ${id} is ${snapshot.state}: there is no QR code to scan${snapshot.state === 'pairing' ? ' yet' : ''}`,
      );
    }
    return { id, qr: snapshot.qr.value, receivedAt: snapshot.qr.receivedAt.toISOString() };
  }

  /** A new browser and a fresh retry budget: what a `lost` session needs once its cause is fixed. */
  @Post(':id/restart')
  @HttpCode(202)
  async restart(@Param('id') id: string): Promise<WebSessionView> {
    const session = this.find(id);
    await session.restart();
    return viewOf(session);
  }

  private find(id: string): WebSession {
    const session = this.sessions.session(id);
    if (!session) throw new NotFoundException(`no WhatsApp Web session ${id} (WHATSAPP_WEB_SESSIONS)`);
    return session;
  }
}

function viewOf(session: WebSession): WebSessionView {
  const snapshot = session.snapshot();
  const groups = session.settings.groups;
  return {
    id: snapshot.id,
    channelAccountId: snapshot.channelAccountId,
    state: snapshot.state,
    ...(snapshot.reason ? { reason: snapshot.reason } : {}),
    since: snapshot.since.toISOString(),
    ...(snapshot.account ? { account: snapshot.account } : {}),
    failures: snapshot.failures,
    qr: snapshot.qr !== undefined,
    groups: groups === 'all' ? 'all' : [...groups],
  };
}
