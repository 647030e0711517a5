import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AgentPrincipal, CurrentAgent } from '../auth/agent-principal';
import { ACCESS_TOKEN_SCHEME } from '../auth/auth.controller';
import { AgentCommands } from '../commands/agent-commands.service';
import {
  CommandResultView,
  EscalateBody,
  NoteBody,
  PriorityBody,
  ReopenBody,
  ReplyBody,
  ResolveBody,
  TransferBody,
} from '../commands/command.dto';
import { ApiProblems } from '../http/api-problem.decorators';
import { ConversationAccess } from './conversation-access';
import { ConversationReads } from './conversation-reads.service';
import {
  ConversationDetailView,
  ConversationListView,
  ListConversationsQuery,
  TimelineQuery,
} from './conversation.dto';
import { ReplyCheck } from './reply-check';
import type { AgentCommand } from '@ponte/contracts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Documents the answers every command route gives. */
export function ApiCommand(summary: string, description?: string): MethodDecorator {
  return (target, key, descriptor) => {
    ApiOperation({
      summary,
      description:
        `${description ? `${description} ` : ''}Published as an agent command; answers 200 with the router's events, ` +
        '202 with the command id when they did not come within GATEWAY_COMMAND_WAIT_MS, or the problem of its refusal.',
    })(target, key, descriptor);
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'A retry with the same key and body acts once and gets the first answer',
    })(target, key, descriptor);
    ApiOkResponse({ type: CommandResultView })(target, key, descriptor);
    ApiAcceptedResponse({ type: CommandResultView })(target, key, descriptor);
  };
}

/** The agents' conversations: lists and timelines (read from the router's collections) and the commands on them. */
@ApiTags('conversations')
@ApiBearerAuth(ACCESS_TOKEN_SCHEME)
@ApiProblems(400, 401, 403, 404, 429)
@Controller('api/v1/conversations')
export class ConversationsController {
  constructor(
    private readonly reads: ConversationReads,
    private readonly access: ConversationAccess,
    private readonly commands: AgentCommands,
    private readonly replies: ReplyCheck,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Conversations you may see, urgent first, then the longest waiting',
    description: 'Agents see those of their queues and those assigned to them; supervisors and admins all.',
  })
  @ApiOkResponse({ type: ConversationListView })
  list(
    @CurrentAgent() agent: AgentPrincipal,
    @Query() query: ListConversationsQuery,
  ): Promise<ConversationListView> {
    return this.reads.list(agent, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A conversation with its timeline (oldest first, paged)' })
  @ApiOkResponse({ type: ConversationDetailView })
  get(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Query() query: TimelineQuery,
  ): Promise<ConversationDetailView> {
    return this.reads.get(agent, id, query);
  }

  @Post(':id/reply')
  @ApiCommand(
    'Answer the customer',
    'On the channel or identity chosen, by default where the customer last wrote from. Refused with 422 before ' +
      'anything is published when it cannot reach the customer (no such identity, channel limits, WhatsApp outside ' +
      '24 hours without a template).',
  )
  @ApiProblems(409, 422)
  async reply(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: ReplyBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    const conversation = await this.access.conversation(agent, id);
    await this.replies.check(conversation, body);
    return this.send(response, agent, key, `/conversations/${id}/reply`, body, (common) => ({
      ...common,
      kind: 'reply',
      conversationId: id,
      content: {
        ...(body.text === undefined ? {} : { text: body.text }),
        ...(body.subject === undefined ? {} : { subject: body.subject }),
      },
      ...(body.attachments ? { attachments: body.attachments } : {}),
      ...(body.channel ? { channel: body.channel } : {}),
      ...(body.identityId ? { identityId: body.identityId } : {}),
      ...(body.template ? { template: body.template } : {}),
    }));
  }

  @Post(':id/notes')
  @ApiCommand('Add a private note (never sent to the customer)')
  async note(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: NoteBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    await this.access.conversation(agent, id);
    return this.send(response, agent, key, `/conversations/${id}/notes`, body, (common) => ({
      ...common,
      kind: 'note',
      conversationId: id,
      content: { text: body.text },
      ...(body.attachments ? { attachments: body.attachments } : {}),
    }));
  }

  @Post(':id/transfer')
  @ApiCommand('Move to another queue, optionally to an online agent of it')
  @ApiProblems(409, 422)
  async transfer(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: TransferBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    await this.access.conversation(agent, id);
    return this.send(response, agent, key, `/conversations/${id}/transfer`, body, (common) => ({
      ...common,
      kind: 'transfer',
      conversationId: id,
      toQueueId: body.queueId,
      ...(body.agentId ? { toAgentId: body.agentId } : {}),
      ...(body.reason ? { reason: body.reason } : {}),
    }));
  }

  @Post(':id/escalate')
  @ApiCommand('Escalate to N2 or N3 with a structured intake', 'Directors, N2, supervisors and admins may.')
  @ApiProblems(409, 422)
  async escalate(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: EscalateBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    await this.access.conversation(agent, id);
    return this.send(response, agent, key, `/conversations/${id}/escalate`, body, (common) => ({
      ...common,
      kind: 'escalate',
      conversationId: id,
      toTier: body.tier,
      ...(body.queueId ? { toQueueId: body.queueId } : {}),
      intake: {
        category: body.intake.category,
        summary: body.intake.summary,
        triedSteps: body.intake.triedSteps,
      },
    }));
  }

  @Post(':id/resolve')
  @ApiCommand('Resolve')
  @ApiProblems(409)
  async resolve(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: ResolveBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    await this.access.conversation(agent, id);
    return this.send(response, agent, key, `/conversations/${id}/resolve`, body, (common) => ({
      ...common,
      kind: 'resolve',
      conversationId: id,
      ...(body.resolution ? { resolution: body.resolution } : {}),
    }));
  }

  @Post(':id/reopen')
  @ApiCommand('Reopen a resolved conversation')
  @ApiProblems(409)
  async reopen(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: ReopenBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    await this.access.conversation(agent, id);
    return this.send(response, agent, key, `/conversations/${id}/reopen`, body, (common) => ({
      ...common,
      kind: 'reopen',
      conversationId: id,
      ...(body.reason ? { reason: body.reason } : {}),
    }));
  }

  @Post(':id/priority')
  @ApiCommand('Change the priority')
  async priority(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: PriorityBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    await this.access.conversation(agent, id);
    return this.send(response, agent, key, `/conversations/${id}/priority`, body, (common) => ({
      ...common,
      kind: 'set-priority',
      conversationId: id,
      priority: body.priority,
    }));
  }

  private async send(
    response: FastifyReply,
    agent: AgentPrincipal,
    key: string | undefined,
    route: string,
    body: object,
    build: (common: CommandCommon) => AgentCommand,
  ): Promise<CommandResultView> {
    return sendCommand(this.commands, response, agent, key, route, body, build);
  }
}

/** What every command carries; the agent is always the caller (never a body field). */
export interface CommandCommon {
  commandId: string;
  issuedAt: string;
  agent: { id: string; role: AgentPrincipal['role'] };
}

export async function sendCommand(
  commands: AgentCommands,
  response: FastifyReply,
  agent: AgentPrincipal,
  key: string | undefined,
  route: string,
  body: object,
  build: (common: CommandCommon) => AgentCommand,
): Promise<CommandResultView> {
  const result = await commands.execute({
    principal: agent,
    ...(key === undefined ? {} : { idempotencyKey: key }),
    route,
    body: { ...body },
    build: (commandId, issuedAt) =>
      build({ commandId, issuedAt, agent: { id: agent.agentId, role: agent.role } }),
  });
  void response.status(result.status);
  return result.body;
}
