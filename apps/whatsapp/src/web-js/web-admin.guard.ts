import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { WhatsappConfig } from '../config/whatsapp.config';

/** `/sessions` shows numbers and pairing codes: with WHATSAPP_WEB_ADMIN_TOKEN set, only its bearer gets through. */
@Injectable()
export class WebAdminGuard implements CanActivate {
  constructor(private readonly config: WhatsappConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.WHATSAPP_WEB_ADMIN_TOKEN;
    if (!token) return true;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? '';
    // Digests first: timingSafeEqual needs equal lengths, and the token's length stays private.
    if (!timingSafeEqual(digest(presented), digest(token))) {
      throw new UnauthorizedException('a valid admin bearer token is required (WHATSAPP_WEB_ADMIN_TOKEN)');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
