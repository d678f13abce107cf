// Drives Genesys' official JavaScript SDK against the simulator and prints one JSON line of what it saw.
// Run by JsSdkFidelityTests: SIM_PORT, CLIENT_ID, CLIENT_SECRET, INTEGRATION_ID, QUEUE_ID, WEBHOOK_URL.
'use strict';
const platformClient = require('purecloud-platform-client-v2');

async function main() {
  const env = process.env;
  const client = platformClient.ApiClient.instance;
  // setEnvironment() always builds https://api.<host> and https://login.<host>; the SDK's gateway setting is
  // its supported way to send both login and API calls to one plain-HTTP host.
  client.setGateway({ host: '127.0.0.1', protocol: 'http', port: Number(env.SIM_PORT) });

  const auth = await client.loginClientCredentialsGrant(env.CLIENT_ID, env.CLIENT_SECRET);
  const conversations = new platformClient.ConversationsApi();
  const analytics = new platformClient.AnalyticsApi();
  const now = new Date().toISOString();

  const sent = await conversations.postConversationsMessageInboundOpenMessage(env.INTEGRATION_ID, {
    channel: {
      messageId: 'sdk-msg-1',
      time: now,
      from: { id: 'sdk-user', idType: 'Opaque', nickname: 'SDK' },
      metadata: { customAttributes: { aiSummary: 'asked for a human' } },
    },
    text: 'Hello from the official SDK',
  }, { prefetchConversationId: true });

  const conversation = await conversations.getConversationsMessage(sent.conversationId);

  let rejected;
  try {
    await conversations.postConversationsMessageInboundOpenMessage(env.INTEGRATION_ID, {
      channel: { time: now, from: { id: 'sdk-user', idType: 'Opaque' } },
    });
  } catch (error) {
    // Without returnExtended the SDK rejects with the parsed Genesys error body itself.
    rejected = { status: error.status, code: error.code, message: error.message, contextId: error.contextId };
  }

  const integration = await conversations.postConversationsMessagingIntegrationsOpen({
    name: 'SDK integration',
    outboundNotificationWebhookUrl: env.WEBHOOK_URL,
    outboundNotificationWebhookSignatureSecretToken: 'sdk-secret-longer-than-15',
  });
  const fetched = await conversations.getConversationsMessagingIntegrationsOpenIntegrationId(integration.id, { expand: ['messagingSetting'] });

  const observations = await analytics.postAnalyticsQueuesObservationsQuery({
    filter: { type: 'or', predicates: [{ dimension: 'queueId', value: env.QUEUE_ID }] },
    metrics: ['oOnQueueUsers', 'oActiveUsers', 'oMemberUsers'],
  });

  console.log(JSON.stringify({
    tokenExpiresInFuture: auth.tokenExpiryTime > Date.now(),
    hasAccessToken: typeof auth.accessToken === 'string' && auth.accessToken.length > 0,
    sent: { id: sent.id, conversationId: sent.conversationId, type: sent.type, toId: sent.channel.to.id },
    conversation: { id: conversation.id, purposes: conversation.participants.map(p => p.purpose), states: conversation.participants.map(p => p.state) },
    rejected,
    integration: { id: integration.id, createStatus: integration.createStatus, fetchedId: fetched.id },
    observations: observations.results.map(r => ({ queueId: r.group.queueId, data: r.data })),
  }));
}

main().catch(error => {
  console.error('fidelity failed:', error && (error.body ? JSON.stringify({ status: error.status, body: error.body }) : (error.stack || error)));
  process.exit(1);
});
