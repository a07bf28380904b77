// Reference: the smallest grammY webhook bot on Lambda.
import { Bot, webhookCallback } from 'grammy';

const token = process.env.TELEGRAM_BOT_TOKEN ?? '';
const bot = new Bot(token, {
  botInfo: {
    id: Number(token.split(':')[0]),
    is_bot: true,
    first_name: 'Reference',
    username: process.env.TELEGRAM_BOT_USERNAME ?? 'reference_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
  } as never,
  client: { apiRoot: process.env.TELEGRAM_API_ROOT ?? 'https://api.telegram.org' },
});
bot.on('message', () => {});

export const handler = webhookCallback(bot, 'aws-lambda-async', {
  secretToken: process.env.TELEGRAM_SECRET_TOKEN ?? '',
});
