// Conversation formats: LLaVA (`conversations: [{from, value}]` + `image`), ShareGPT as LLaMA-Factory
// writes it (`messages: [{role, content}]` + `images`, `<image>` tags) and OpenAI-style content parts.
// Video and audio are refused with a reason: The Cauldron layout holds images only.

import {
  type Adapted,
  getField,
  imagesField,
  problem,
  type RowProblem,
  stripImageTags,
  type Turn,
} from './adapted-row.js';
import type { ConversationKeys, SourceConfig } from './config.js';
import { type ImageRef, imageRefOf } from './image-refs.js';

type Keys = Required<ConversationKeys>;

const PRESETS: Record<'llava' | 'sharegpt' | 'openai', Keys> = {
  llava: {
    messages: 'conversations',
    role: 'from',
    content: 'value',
    images: 'image',
    userRoles: ['human', 'user'],
    assistantRoles: ['gpt', 'assistant'],
    systemRoles: ['system'],
  },
  sharegpt: {
    messages: 'messages',
    role: 'role',
    content: 'content',
    images: 'images',
    userRoles: ['user', 'human'],
    assistantRoles: ['assistant', 'gpt'],
    systemRoles: ['system'],
  },
  openai: {
    messages: 'messages',
    role: 'role',
    content: 'content',
    images: 'images',
    userRoles: ['user'],
    assistantRoles: ['assistant'],
    systemRoles: ['system', 'developer'],
  },
};

const MEDIA_KEYS = [
  ['videos', 'video'],
  ['video', 'video'],
  ['audios', 'audio'],
  ['audio', 'audio'],
] as const;

function refuseMedia(kind: string, where: string): { problem: RowProblem } {
  return problem(
    `unsupported_media_${kind}`,
    `${where} holds ${kind}; the SFT layout (The Cauldron) holds images only`,
  );
}

/** Text and images of one message's content: a string, or a list of OpenAI-style parts. */
function readContent(
  content: unknown,
  where: string,
): { text: string; images: ImageRef[] } | { problem: RowProblem } {
  if (typeof content === 'string') return { text: content, images: [] };
  if (!Array.isArray(content))
    return problem('bad_field_type', `${where} must be a string or a list of content parts`);
  const texts: string[] = [];
  const images: ImageRef[] = [];
  for (const [i, part] of content.entries()) {
    const p = (part ?? {}) as Record<string, unknown>;
    const type = typeof p.type === 'string' ? p.type : '';
    if (type === 'text' || type === 'input_text') {
      if (typeof p.text !== 'string')
        return problem('bad_field_type', `${where}[${i}].text must be a string`);
      texts.push(p.text);
    } else if (type === 'image_url' || type === 'image' || type === 'input_image') {
      const raw = p.image_url ?? p.image ?? p.url ?? p.path;
      const value =
        raw && typeof raw === 'object' && 'url' in (raw as object) ? (raw as { url: unknown }).url : raw;
      const ref = imageRefOf(value);
      if ('problem' in ref) return problem(ref.problem.reason, `${where}[${i}]: ${ref.problem.message}`);
      images.push(ref.ref);
    } else if (/video/.test(type)) return refuseMedia('video', `${where}[${i}]`);
    else if (/audio/.test(type)) return refuseMedia('audio', `${where}[${i}]`);
    else
      return problem(
        'unknown_content_part',
        `${where}[${i}] has type "${type}"; allowed: text, image_url, image`,
      );
  }
  return { text: texts.join('\n'), images };
}

export function adaptConversation(
  row: Record<string, unknown>,
  source: SourceConfig & { format: 'llava' | 'sharegpt' | 'openai' },
): Adapted {
  const keys: Keys = { ...PRESETS[source.format], ...source.conversation } as Keys;
  for (const [key, kind] of MEDIA_KEYS) {
    const value = row[key];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0))
      return refuseMedia(kind, `field "${key}"`);
  }
  const messages = getField(row, keys.messages);
  if (messages === undefined || messages === null)
    return problem('missing_field', `conversation field "${keys.messages}" is missing`);
  if (!Array.isArray(messages))
    return problem('bad_field_type', `conversation field "${keys.messages}" must be a list of messages`);

  const listed = imagesField(row, keys.images, false);
  if ('problem' in listed) return listed;
  const inline: ImageRef[] = [];
  const turns: Turn[] = [];
  let pendingUser: string | undefined;
  let imageTags = 0;
  for (const [i, message] of messages.entries()) {
    const where = `${keys.messages}[${i}]`;
    const m = (message ?? {}) as Record<string, unknown>;
    const role = m[keys.role];
    if (typeof role !== 'string') return problem('missing_field', `${where}.${keys.role} is missing`);
    const content = readContent(m[keys.content], `${where}.${keys.content}`);
    if ('problem' in content) return content;
    if (/<video>/.test(content.text)) return refuseMedia('video', where);
    if (/<audio>/.test(content.text)) return refuseMedia('audio', where);
    inline.push(...content.images);
    const { text, count } = stripImageTags(content.text);
    imageTags += count;
    if (keys.systemRoles.includes(role)) continue;
    if (keys.userRoles.includes(role)) {
      if (pendingUser !== undefined)
        return problem('unpaired_turn', `${where}: two user messages in a row (no answer to the first)`);
      if (text.trim() === '') return problem('empty_text', `${where}: the user message is empty`);
      pendingUser = text;
    } else if (keys.assistantRoles.includes(role)) {
      if (pendingUser === undefined)
        return problem('unpaired_turn', `${where}: an assistant message without a user message before it`);
      if (text.trim() === '') return problem('empty_text', `${where}: the assistant message is empty`);
      turns.push({ user: pendingUser, assistant: text });
      pendingUser = undefined;
    } else {
      const allowed = [...keys.userRoles, ...keys.assistantRoles, ...keys.systemRoles].join(', ');
      return problem('unknown_role', `${where}: role "${role}" is not one of ${allowed}`);
    }
  }
  if (pendingUser !== undefined)
    return problem('unpaired_turn', `${keys.messages}: the last user message has no answer`);
  if (turns.length === 0)
    return problem('empty_conversation', `conversation "${keys.messages}" has no turns`);
  const images = [...listed.images, ...inline];
  // LLaMA-Factory's rule: when a row uses <image> tags, there is one per listed image.
  if (source.format === 'sharegpt' && imageTags > 0 && imageTags !== listed.images.length) {
    return problem(
      'image_tag_mismatch',
      `${imageTags} <image> tag(s) in the messages but ${listed.images.length} image(s) in "${keys.images}"`,
    );
  }
  return { row: { turns, images, checkQuestions: true } };
}
