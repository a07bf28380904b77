/** `npx tsx bench/content-posting-main.ts`: the scheduled-posting bench alone (npm run bench runs it too). */
import { benchContentPosting, describeContentPosting } from './content-posting.js';
import { startChildDynamo } from './dynamo-child.js';

const dynamo = await startChildDynamo();
try {
  console.log(describeContentPosting(await benchContentPosting(dynamo.endpoint)));
} finally {
  await dynamo.close();
}
