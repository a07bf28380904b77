/**
 * Stands in for `discord-api-types/payloads/v10` in the Discord bundle (see `PLATFORM_ALIASES` in
 * infra/bundling.ts): the runtime values of the enums the interactions handler uses, copied whole.
 *
 * The handler only needs a few numbers from discord-api-types, but its payloads entry is CommonJS that
 * evaluates some 40 files of enums at load: about 10 ms of every cold start. Types are unaffected (they are
 * erased), esbuild fails the build if the bot imports a value this file does not export, and
 * test/unit/discord-api-types-stub.test.ts checks that each enum equals the installed discord-api-types one,
 * so an upgrade that changes a value fails the tests instead of the bot.
 */

/** A TypeScript numeric enum at runtime: names to values and values back to names. */
function numericEnum(members) {
  const result = { ...members };
  for (const [name, value] of Object.entries(members)) result[value] = name;
  return result;
}

export const ApplicationCommandOptionType = numericEnum({
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
});

export const ApplicationCommandType = numericEnum({
  ChatInput: 1,
  User: 2,
  Message: 3,
  PrimaryEntryPoint: 4,
});

export const ButtonStyle = numericEnum({
  Primary: 1,
  Secondary: 2,
  Success: 3,
  Danger: 4,
  Link: 5,
  Premium: 6,
});

export const ComponentType = numericEnum({
  ActionRow: 1,
  Button: 2,
  StringSelect: 3,
  TextInput: 4,
  UserSelect: 5,
  RoleSelect: 6,
  MentionableSelect: 7,
  ChannelSelect: 8,
  Section: 9,
  TextDisplay: 10,
  Thumbnail: 11,
  MediaGallery: 12,
  File: 13,
  Separator: 14,
  ContentInventoryEntry: 16,
  Container: 17,
  Label: 18,
  FileUpload: 19,
  RadioGroup: 21,
  CheckboxGroup: 22,
  Checkbox: 23,
  SelectMenu: 3,
});

export const InteractionResponseType = numericEnum({
  Pong: 1,
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredMessageUpdate: 6,
  UpdateMessage: 7,
  ApplicationCommandAutocompleteResult: 8,
  Modal: 9,
  PremiumRequired: 10,
  LaunchActivity: 12,
});

export const InteractionType = numericEnum({
  Ping: 1,
  ApplicationCommand: 2,
  MessageComponent: 3,
  ApplicationCommandAutocomplete: 4,
  ModalSubmit: 5,
});

export const MessageFlags = numericEnum({
  Crossposted: 1,
  IsCrosspost: 2,
  SuppressEmbeds: 4,
  SourceMessageDeleted: 8,
  Urgent: 16,
  HasThread: 32,
  Ephemeral: 64,
  Loading: 128,
  FailedToMentionSomeRolesInThread: 256,
  ShouldShowLinkNotDiscordWarning: 1024,
  SuppressNotifications: 4096,
  IsVoiceMessage: 8192,
  HasSnapshot: 16384,
  IsComponentsV2: 32768,
});

export const TextInputStyle = numericEnum({
  Short: 1,
  Paragraph: 2,
});

export const PermissionFlagsBits = Object.freeze({
  CreateInstantInvite: 1n,
  KickMembers: 2n,
  BanMembers: 4n,
  Administrator: 8n,
  ManageChannels: 16n,
  ManageGuild: 32n,
  AddReactions: 64n,
  ViewAuditLog: 128n,
  PrioritySpeaker: 256n,
  Stream: 512n,
  ViewChannel: 1024n,
  SendMessages: 2048n,
  SendTTSMessages: 4096n,
  ManageMessages: 8192n,
  EmbedLinks: 16384n,
  AttachFiles: 32768n,
  ReadMessageHistory: 65536n,
  MentionEveryone: 131072n,
  UseExternalEmojis: 262144n,
  ViewGuildInsights: 524288n,
  Connect: 1048576n,
  Speak: 2097152n,
  MuteMembers: 4194304n,
  DeafenMembers: 8388608n,
  MoveMembers: 16777216n,
  UseVAD: 33554432n,
  ChangeNickname: 67108864n,
  ManageNicknames: 134217728n,
  ManageRoles: 268435456n,
  ManageWebhooks: 536870912n,
  ManageEmojisAndStickers: 1073741824n,
  ManageGuildExpressions: 1073741824n,
  UseApplicationCommands: 2147483648n,
  RequestToSpeak: 4294967296n,
  ManageEvents: 8589934592n,
  ManageThreads: 17179869184n,
  CreatePublicThreads: 34359738368n,
  CreatePrivateThreads: 68719476736n,
  UseExternalStickers: 137438953472n,
  SendMessagesInThreads: 274877906944n,
  UseEmbeddedActivities: 549755813888n,
  ModerateMembers: 1099511627776n,
  ViewCreatorMonetizationAnalytics: 2199023255552n,
  UseSoundboard: 4398046511104n,
  CreateGuildExpressions: 8796093022208n,
  CreateEvents: 17592186044416n,
  UseExternalSounds: 35184372088832n,
  SendVoiceMessages: 70368744177664n,
  SetVoiceChannelStatus: 281474976710656n,
  SendPolls: 562949953421312n,
  UseExternalApps: 1125899906842624n,
  PinMessages: 2251799813685248n,
  BypassSlowmode: 4503599627370496n,
});
