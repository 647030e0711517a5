import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type AgentPrincipal, CurrentAgent } from '../auth/agent-principal';
import { ACCESS_TOKEN_SCHEME } from '../auth/auth.controller';
import { AgentCommands } from '../commands/agent-commands.service';
import { type CommandResultView, MergeBody, SplitBody } from '../commands/command.dto';
import { ApiProblems } from '../http/api-problem.decorators';
import { CustomerForbiddenError, MergeNotFoundError } from '../http/problem.error';
import { ConversationAccess } from './conversation-access';
import { ConversationReads } from './conversation-reads.service';
import { CustomerView, TimelineQuery } from './conversation.dto';
import { ApiCommand, IDEMPOTENCY_HEADER, sendCommand } from './conversations.controller';
import { RouterReadModel } from './router-read.repository';

/** A customer across channels and conversations, and the agents' merge and split of customers (invariant 3). */
@ApiTags('customers')
@ApiBearerAuth(ACCESS_TOKEN_SCHEME)
@ApiProblems(400, 401, 403, 404, 429)
@Controller('api/v1/customers')
export class CustomersController {
  constructor(
    private readonly reads: ConversationReads,
    private readonly access: ConversationAccess,
    private readonly commands: AgentCommands,
    private readonly readModel: RouterReadModel,
  ) {}

  @Get(':id')
  @ApiOperation({
    summary: 'A customer with every identity and the whole timeline across conversations and channels',
    description: 'Follows merges to the surviving customer. Agents see the conversations in their reach.',
  })
  @ApiOkResponse({ type: CustomerView })
  get(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Query() query: TimelineQuery,
  ): Promise<CustomerView> {
    return this.reads.customer(agent, id, query);
  }

  @Post(':id/merge')
  @ApiCommand('Merge another customer into this one', 'Reversible with /split and the mergeId of the event.')
  @ApiProblems(422)
  async merge(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: MergeBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    const conversationId = await this.conversationFor(agent, id, body.conversationId);
    // Both customers must be within the agent's reach, not only the one named in the path.
    await this.access.customer(agent, body.sourceCustomerId);
    return sendCommand(this.commands, response, agent, key, `/customers/${id}/merge`, body, (common) => ({
      ...common,
      kind: 'merge',
      conversationId,
      sourceCustomerId: body.sourceCustomerId,
      targetCustomerId: id,
    }));
  }

  @Post(':id/split')
  @ApiCommand('Undo a merge of this customer')
  @ApiProblems(422)
  async split(
    @CurrentAgent() agent: AgentPrincipal,
    @Param('id') id: string,
    @Body() body: SplitBody,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<CommandResultView> {
    const conversationId = await this.conversationFor(agent, id, body.conversationId);
    const { members } = await this.access.customer(agent, id);
    const merge = await this.readModel.merge(agent.tenantId, body.mergeId);
    if (!merge || (!members.includes(merge.targetCustomerId) && !members.includes(merge.sourceCustomerId))) {
      throw new MergeNotFoundError(body.mergeId, id);
    }
    return sendCommand(this.commands, response, agent, key, `/customers/${id}/split`, body, (common) => ({
      ...common,
      kind: 'split',
      conversationId,
      mergeId: body.mergeId,
    }));
  }

  /** The router records a merge on a conversation the agent may touch: the one named, or the customer's latest. */
  private async conversationFor(agent: AgentPrincipal, customerId: string, named?: string): Promise<string> {
    const { conversations } = await this.access.customer(agent, customerId);
    if (named === undefined) {
      const latest = conversations[0];
      if (!latest) throw new CustomerForbiddenError(customerId);
      return latest._id;
    }
    const conversation = await this.access.conversation(agent, named);
    return conversation._id;
  }
}
