import { createHmac } from 'node:crypto';

/**
 * DingTalk custom robot signature (加签): base64 of HMAC-SHA256 keyed with the robot's `SEC…`
 * secret over `"<timestamp>\n<secret>"`, the timestamp in epoch milliseconds. Not URL-encoded yet.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** The robot's URL with `&timestamp=<ms>&sign=<url-encoded signature>` appended, as DingTalk expects. */
export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}timestamp=${timestampMs}&sign=${encodeURIComponent(dingtalkSign(secret, timestampMs))}`;
}

/**
 * Feishu/Lark custom bot signature (签名校验): base64 of HMAC-SHA256 keyed with
 * `"<timestamp>\n<secret>"` over an empty message, the timestamp in epoch seconds.
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}
