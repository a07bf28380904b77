import { describe, expect, it } from 'vitest';
import {
  CONTENT_LIMIT,
  escapeMarkdown,
  joinCustomId,
  renderMessage,
  renderModal,
  renderPrivate,
  renderText,
} from '../../bots/discord/render.js';
import { createResponder } from '../../bots/discord/responder.js';
import type { Form } from '../../shared/core/messenger.js';

describe('renderMessage', () => {
  it('marks a private message ephemeral and never lets a message ping anyone', () => {
    expect(renderPrivate({ text: 'hi' })).toEqual({
      content: 'hi',
      flags: 64,
      allowed_mentions: { parse: [] },
    });
    expect(renderMessage({ text: 'hi' })).toEqual({ content: 'hi', allowed_mentions: { parse: [] } });
  });

  it('renders buttons as action rows of five, each custom_id carrying the action id and the value', () => {
    const buttons = Array.from({ length: 7 }, (_, index) => ({
      actionId: `a${index}`,
      label: `B${index}`,
      ...(index === 6 ? { value: 'g/42' } : {}),
    }));

    const { components } = renderMessage({ text: 'pick', buttons });

    expect(components).toHaveLength(2);
    expect(components?.[0]).toMatchObject({ type: 1, components: { length: 5 } });
    expect(components?.[1]).toEqual({
      type: 1,
      components: [
        { type: 2, style: 1, label: 'B5', custom_id: 'a5' },
        { type: 2, style: 1, label: 'B6', custom_id: 'a6:g/42' },
      ],
    });
  });

  it("refuses a button whose id and value do not fit Discord's 100 characters, rather than cut its meaning", () => {
    expect(joinCustomId('feedback.read', 'x'.repeat(86))).toHaveLength(100);
    expect(() => joinCustomId('feedback.read', 'x'.repeat(87))).toThrow(/100 characters/);
    expect(() => joinCustomId('a:b', 'c')).toThrow(/without ':'/);
  });
});

describe('renderModal', () => {
  const form: Form = {
    formId: 'feedback',
    title: 'Feedback to moderators',
    submitLabel: 'Send',
    context: 'c1',
    fields: [
      {
        id: 'note',
        label: 'Your note to the moderators (only they will see it)',
        style: 'paragraph',
        required: true,
        maxLength: 1000,
      },
      {
        id: 'subject',
        label: 'Subject',
        style: 'short',
        required: false,
        maxLength: 9000,
        placeholder: 'One line',
      },
    ],
  };

  it('puts each field in a label around a text input, with its style, length and whether it is required', () => {
    expect(renderModal(form)).toEqual({
      custom_id: 'feedback:c1',
      title: 'Feedback to moderators',
      components: [
        {
          type: 18,
          label: 'Your note to the moderators (only they will…',
          description: 'Your note to the moderators (only they will see it)',
          component: { type: 4, custom_id: 'note', style: 2, required: true, max_length: 1000 },
        },
        {
          type: 18,
          label: 'Subject',
          component: {
            type: 4,
            custom_id: 'subject',
            style: 1,
            required: false,
            max_length: 4000,
            placeholder: 'One line',
          },
        },
      ],
    });
  });

  it('keeps the title within 45 characters and refuses a form Discord cannot show', () => {
    expect(renderModal({ ...form, title: 'word '.repeat(20) }).title.length).toBeLessThanOrEqual(45);
    expect(() => renderModal({ ...form, fields: [] })).toThrow(/1 to 5 fields/);
  });
});

describe('createResponder', () => {
  const message = { text: 'Done', buttons: [{ actionId: 'x.y', label: 'Again' }] };

  it('answers a command privately in the response, defers it ephemerally, opens a modal', async () => {
    const answered = createResponder('command');
    const deferred = createResponder('command');
    const form = createResponder('command');

    await answered.answer(message);
    await deferred.defer();
    await form.openForm({
      formId: 'f',
      title: 'T',
      submitLabel: 'Send',
      fields: [{ id: 'a', label: 'A', style: 'short', required: true, maxLength: 10 }],
    });

    expect(answered.response()).toMatchObject({ type: 4, data: { content: 'Done', flags: 64 } });
    expect(deferred.response()).toEqual({ type: 5, data: { flags: 64 } });
    expect(form.response()).toMatchObject({ type: 9, data: { custom_id: 'f:', title: 'T' } });
  });

  it('replaces the pressed message (type 7, old buttons gone) and acknowledges a repeated press silently', async () => {
    const updated = createResponder('component');
    const repeated = createResponder('component');

    await updated.update({ text: 'Read' });
    await repeated.acknowledge();

    expect(updated.response()).toEqual({
      type: 7,
      data: { content: 'Read', allowed_mentions: { parse: [] }, components: [] },
    });
    expect(repeated.response()).toEqual({ type: 6 });
  });

  it('tells a repeated command or form it was answered, and never opens a form from a form', async () => {
    const command = createResponder('command');
    const submit = createResponder('modal');
    const formFromForm = createResponder('modal');

    await command.acknowledge();
    await submit.update({ text: 'Thanks' });
    await formFromForm.openForm({ formId: 'f', title: 'T', submitLabel: 'S', fields: [] });

    expect(command.response()).toMatchObject({
      type: 4,
      data: { content: 'This was already answered.', flags: 64 },
    });
    expect(submit.response()).toMatchObject({ type: 4, data: { content: 'Thanks', flags: 64 } });
    expect(formFromForm.response()).toMatchObject({ type: 4, data: { flags: 64 } });
  });

  it('answers once: a second call is a bug, and so is asking for an answer never given', async () => {
    const responder = createResponder('command');

    expect(() => responder.response()).toThrow(/never answered/);
    await responder.defer();
    await expect(responder.answer(message)).rejects.toThrow(/answered once/);
  });
});

describe('renderText', () => {
  it('maps bold, italic and code to Discord markdown', () => {
    expect(renderText('**Stats** for _today_: `/community stats`')).toBe(
      '**Stats** for _today_: `/community stats`',
    );
  });

  it('keeps fenced blocks verbatim, markup characters included', () => {
    const text = 'Table:\n```\n  discord  *2*  _x_\n```';

    expect(renderText(text)).toBe('Table:\n```\n  discord  *2*  _x_\n```');
  });

  it('escapes markup in plain text so member-supplied characters stay literal', () => {
    expect(renderText('a*b*c ~~d~~ <@123> [x](y) |s|')).toBe(
      'a\\*b\\*c \\~\\~d\\~\\~ \\<@123\\> \\[x\\](y) \\|s\\|',
    );
  });

  it('keeps inline code inside bold or italic text as code', () => {
    expect(renderText('**Feedback from `123`** _see `x*y`_')).toBe('**Feedback from `123`** _see `x*y`_');
    expect(renderText('**a*b `c`**')).toBe('**a\\*b `c`**');
  });

  it('keeps markup characters inside inline code literal', () => {
    expect(renderText('run `a*b_c` then')).toBe('run `a*b_c` then');
  });

  it('cuts text over the content limit and closes a code block it cut open', () => {
    const rendered = renderText(`head\n\`\`\`\n${'x'.repeat(CONTENT_LIMIT * 2)}\n\`\`\``);

    expect(rendered.length).toBeLessThanOrEqual(CONTENT_LIMIT);
    expect(rendered.endsWith('…\n```')).toBe(true);
  });
});

describe('escapeMarkdown', () => {
  it('escapes headings, quotes, lists and numbered lists only where a line starts', () => {
    expect(escapeMarkdown('# big\n> quote\n- item\n3. third\nnot # here - 4. ok')).toBe(
      '\\# big\n\\> quote\n\\- item\n3\\. third\nnot # here - 4. ok',
    );
  });

  it('escapes backslashes first so an escape cannot be undone', () => {
    expect(escapeMarkdown('\\*')).toBe('\\\\\\*');
  });
});
