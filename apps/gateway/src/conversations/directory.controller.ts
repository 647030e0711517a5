import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AgentPrincipal, CurrentAgent } from '../auth/agent-principal';
import { ACCESS_TOKEN_SCHEME } from '../auth/auth.controller';
import { AgentCommands } from '../commands/agent-commands.service';
import { type CommandResultView, PresenceBody } from '../commands/command.dto';
import { ApiProblems } from '../http/api-problem.decorators';
import { ConversationReads } from './conversation-reads.service';
import { MergeCandidatesQuery, MergeCandidateView, QueueView } from './conversation.dto';
import { ApiCommand, IDEMPOTENCY_HEADER, sendCommand } from './conversations.controller';

/** Queues, merge candidates and the agent's own presence. */
@ApiTags('conversations')
@ApiBearerAuth(ACCESS_TOKEN_SCHEME)
@ApiProblems(400, 401, 429)
@Controller('api/v1')
export class DirectoryController {
  constructor(
    private readonly reads: ConversationReads,
    private readonly commands: AgentCommands,
  ) {}

  @Get('queues')
  @ApiOperation({ summary: "The tenant's queues" })
  @ApiOkResponse({ type: [QueueView] })
  queues(@CurrentAgent() agent: AgentPrincipal): Promise<QueueView[]> {
    return this.reads.queues(agent);
  }

  @Get('merge-candidates')
  @ApiOperation({
    summary: 'Customers that may be one person (weak evidence), newest first',
    description: 'Agents see those about a customer with a conversation in their reach.',
  })
  @ApiOkResponse({ type: [MergeCandidateView] })
  mergeCandidates(
    @CurrentAgent() agent: AgentPrincipal,
    @Query() query: MergeCandidatesQuery,
  ): Promise<MergeCandidateView[]> {
    return this.reads.mergeCandidates(agent, query.limit);
  }

  @Post('agents/me/presence')
  @ApiCommand('Set your presence (online, away, offline)', 'Assignment follows it.')
  @ApiProblems(422)
  presence(
    @CurrentAgent() agent: AgentPrincipal,
    @Body() body: PresenceBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    return sendCommand(this.commands, response, agent, key, '/agents/me/presence', body, (common) => ({
      ...common,
      kind: 'set-presence',
      presence: body.presence,
    }));
  }
}
