// Reference: what merely loading discord.js costs (the yardstick for the Discord handler).
import * as discord from 'discord.js';

export const handler = async () => ({ statusCode: 200, body: discord.version });
