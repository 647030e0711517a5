import { Injectable, Logger } from '@nestjs/common';
import { type AgentCommand, createEnvelope, messageKey, Topics } from '@ponte/contracts';
import { MessageBus } from '@ponte/messaging';
import { randomUUID } from 'node:crypto';
import type { AgentPrincipal } from '../auth/agent-principal';
import { GatewayConfig } from '../config/gateway.config';
import { CommandFailedProblem, CommandRejectedProblem } from '../http/problem.error';
import { type CommandOutcome, CommandOutcomes } from './command-outcomes';
import type { CommandResultView } from './command.dto';
import { IdempotencyKeys, type StoredResponse } from './idempotency-keys';

export const GATEWAY_SOURCE = '/ponte/gateway';

/** HTTP status of each router rejection code (apps/router/src/commands/command-rejection.ts). */
export const REJECTION_STATUS: Readonly<Record<string, number>> = {
  UNKNOWN_CONVERSATION: 404,
  NOT_ALLOWED: 403,
  INVALID_STATE: 409,
  AGENT_UNAVAILABLE: 409,
  UNKNOWN_QUEUE: 422,
  UNKNOWN_AGENT: 422,
  NO_IDENTITY_FOR_CHANNEL: 422,
  CHANNEL_CANNOT_SEND: 422,
  INVALID_MERGE: 422,
  INVALID_CONFIGURATION: 422,
};

export interface CommandRequest {
  principal: AgentPrincipal;
  /** The Idempotency-Key header, if any. */
  idempotencyKey?: string;
  /** The route and body, which identify the request behind an Idempotency-Key. */
  route: string;
  body: unknown;
  /** The command, given its id and time. */
  build: (commandId: string, issuedAt: string) => AgentCommand;
}

export interface CommandResponse {
  status: 200 | 202;
  body: CommandResultView;
}

/** A stored answer: a result, or the rejection it was (replayed as the same problem). */
type Remembered =
  | (StoredResponse & { status: 200 | 202; body: CommandResultView })
  | { status: number; body: { reason: string; detail: string; commandId: string } };

/**
 * Sends an agent's command to the router (the single writer) and waits briefly for what it made of it: 200 with the
 * events it caused, 202 with the command id when nothing came in time, or the problem matching its refusal.
 */
@Injectable()
export class AgentCommands {
  private readonly logger = new Logger(AgentCommands.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly outcomes: CommandOutcomes,
    private readonly keys: IdempotencyKeys,
    private readonly config: GatewayConfig,
  ) {}

  async execute(request: CommandRequest): Promise<CommandResponse> {
    const { principal, idempotencyKey } = request;
    let commandId: string = randomUUID();
    let publish = true;
    if (idempotencyKey !== undefined) {
      const claim = await this.keys.claim(principal, idempotencyKey, {
        method: 'POST',
        route: request.route,
        body: request.body,
      });
      if (claim.kind === 'replay') return replay(claim.response as Remembered);
      commandId = claim.commandId;
      publish = claim.kind === 'new' || claim.republish;
    }
    const watch = this.outcomes.watch(commandId);
    if (publish) {
      try {
        await this.publish(principal, request.build(commandId, new Date().toISOString()));
      } catch (error) {
        watch.cancel();
        throw error;
      }
    }
    const outcome = await watch.outcome(this.config.GATEWAY_COMMAND_WAIT_MS);
    const answer = answerOf(commandId, outcome);
    if (idempotencyKey !== undefined && !(answer instanceof CommandFailedProblem)) {
      await this.keys.remember(principal, idempotencyKey, remembered(answer)).catch((error: unknown) => {
        this.logger.warn({ err: error, commandId }, 'could not store the Idempotency-Key answer');
      });
    }
    if (answer instanceof Error) throw answer;
    return answer;
  }

  private async publish(principal: AgentPrincipal, command: AgentCommand): Promise<void> {
    const envelope = createEnvelope(Topics.agentCommand, command, {
      source: GATEWAY_SOURCE,
      tenantId: principal.tenantId,
      id: command.commandId,
      ...('conversationId' in command ? { subject: command.conversationId } : {}),
    });
    await this.bus.publish(Topics.agentCommand, envelope, { key: messageKey(Topics.agentCommand, command) });
    this.logger.log(
      {
        commandId: command.commandId,
        kind: command.kind,
        agentId: principal.agentId,
        ...('conversationId' in command ? { conversationId: command.conversationId } : {}),
      },
      'agent command published',
    );
  }
}

function answerOf(
  commandId: string,
  outcome: CommandOutcome,
): CommandResponse | CommandRejectedProblem | CommandFailedProblem {
  switch (outcome.status) {
    case 'applied':
      return {
        status: 200,
        body: {
          commandId,
          status: 'applied',
          events: outcome.events.map((event) => ({
            id: event.id,
            type: event.type,
            time: event.time,
            data: event.data,
          })),
        },
      };
    case 'pending':
      return { status: 202, body: { commandId, status: 'accepted', events: [] } };
    case 'rejected':
      if (outcome.failed) {
        return new CommandFailedProblem(
          `The router could not apply the command (${outcome.reason}); it changed nothing. Retry later.`,
          commandId,
        );
      }
      return new CommandRejectedProblem(
        REJECTION_STATUS[outcome.code] ?? 422,
        outcome.code,
        `The router refused the command (${outcome.code}): ${outcome.reason}`,
        commandId,
      );
  }
}

function remembered(answer: CommandResponse | CommandRejectedProblem): Remembered {
  if (!(answer instanceof CommandRejectedProblem)) return answer;
  return {
    status: answer.status,
    body: { reason: answer.reason, detail: answer.detail, commandId: answer.commandId },
  };
}

function replay(stored: Remembered): CommandResponse {
  if (stored.status === 200 || stored.status === 202) return stored as CommandResponse;
  const { reason, detail, commandId } = stored.body as { reason: string; detail: string; commandId: string };
  throw new CommandRejectedProblem(stored.status, reason, detail, commandId);
}
