/**
 * The subset of Slack Block Kit that permission-auditor sends, typed here so the domain needs no Slack SDK.
 *
 * @see https://docs.slack.dev/reference/block-kit/blocks
 */

/** @see https://docs.slack.dev/reference/block-kit/composition-objects/text-object */
export interface SlackPlainText {
  readonly type: 'plain_text';
  readonly text: string;
  /** Off: a `:name:` sequence from an untrusted value stays text. */
  readonly emoji: boolean;
}

/** @see https://docs.slack.dev/reference/block-kit/composition-objects/text-object */
export interface SlackMrkdwnText {
  readonly type: 'mrkdwn';
  readonly text: string;
  /**
   * Always true: otherwise Slack preprocesses the text, auto-linking URLs and conversation names and
   * parsing "certain mentions" that an untrusted value could contain without angle brackets. Explicit
   * `<url|label>` links written by the renderer still work.
   */
  readonly verbatim: true;
}

/** @see https://docs.slack.dev/reference/block-kit/blocks/header-block */
export interface SlackHeaderBlock {
  readonly type: 'header';
  readonly text: SlackPlainText;
}

/** @see https://docs.slack.dev/reference/block-kit/blocks/section-block */
export interface SlackSectionBlock {
  readonly type: 'section';
  readonly text: SlackMrkdwnText;
}

/** @see https://docs.slack.dev/reference/block-kit/blocks/context-block */
export interface SlackContextBlock {
  readonly type: 'context';
  readonly elements: readonly (SlackMrkdwnText | SlackPlainText)[];
}

/** @see https://docs.slack.dev/reference/block-kit/blocks/divider-block */
export interface SlackDividerBlock {
  readonly type: 'divider';
}

export type SlackBlock = SlackHeaderBlock | SlackSectionBlock | SlackContextBlock | SlackDividerBlock;

/**
 * One message: `text` is the notification/fallback text shown where blocks cannot be, `blocks` the body.
 *
 * @see https://docs.slack.dev/reference/methods/chat.postMessage
 */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

/**
 * Slack limits the renderer stays within; exceeding any of them makes Slack reject the whole message.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: {
    value: 50,
    source: 'https://docs.slack.dev/reference/block-kit/blocks ("up to 50 blocks in each message")',
  },
  sectionText: {
    value: 3000,
    source: 'https://docs.slack.dev/reference/block-kit/blocks/section-block (text: maximum 3000 characters)',
  },
  headerText: {
    value: 150,
    source: 'https://docs.slack.dev/reference/block-kit/blocks/header-block (text: maximum 150 characters)',
  },
  contextElements: {
    value: 10,
    source: 'https://docs.slack.dev/reference/block-kit/blocks/context-block (elements: maximum 10 items)',
  },
  /**
   * Not a documented limit: Slack answered `msg_blocks_too_long` for messages whose block texts summed to
   * about 13,200 characters although every documented per-block limit was met; stay well below it.
   */
  blocksTextTotal: {
    value: 12_000,
    source: 'https://github.com/slackapi/bolt-js/issues/2509 (msg_blocks_too_long at ~13,200 characters)',
  },
  /** Notification text: Slack truncates `text` over 40,000 characters; a notification needs far less. */
  fallbackText: {
    value: 3000,
    source:
      'https://docs.slack.dev/reference/methods/chat.postMessage (text: truncated after 40,000 characters)',
  },
} as const;
