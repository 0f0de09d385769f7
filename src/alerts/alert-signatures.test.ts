import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dingtalkSign, dingtalkSignedUrl, feishuSign } from './alert-signatures.js';

// Vectors computed with the Python samples of the vendors' docs (DingTalk 自定义机器人 加签;
// Feishu 自定义机器人 签名校验), run once outside this code base.
const DINGTALK_VECTOR = {
  secret: 'SEC0123456789abcdef',
  timestampMs: 1_700_000_000_000,
  sign: 'TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=',
  urlEncoded: 'TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D',
};
const FEISHU_VECTOR = {
  secret: 'demo-secret',
  timestampSeconds: 1_599_360_473,
  sign: '3/MaVZ8JLIy4TUG+7KSFJqvUkTKd+HWY8g+56DZWq8s=',
};

describe('DingTalk robot signature', () => {
  it('matches the documented algorithm: base64(HMAC-SHA256(key=secret, "<ms>\\n<secret>"))', () => {
    for (const [secret, at] of [
      ['SECabc', 1_733_212_800_123],
      ['SEC' + 'x'.repeat(64), 1],
    ] as const) {
      const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
        .update(Buffer.from(`${at}\n${secret}`, 'utf8'))
        .digest()
        .toString('base64');
      expect(dingtalkSign(secret, at)).toBe(expected);
    }
  });

  it('reproduces the vector of the vendor sample', () => {
    expect(dingtalkSign(DINGTALK_VECTOR.secret, DINGTALK_VECTOR.timestampMs)).toBe(DINGTALK_VECTOR.sign);
  });

  it('appends the timestamp and the URL-encoded sign to the robot URL', () => {
    const url = dingtalkSignedUrl(
      'https://oapi.dingtalk.com/robot/send?access_token=tok',
      DINGTALK_VECTOR.secret,
      DINGTALK_VECTOR.timestampMs,
    );
    expect(url).toBe(
      `https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1700000000000&sign=${DINGTALK_VECTOR.urlEncoded}`,
    );
    expect(new URL(url).searchParams.get('sign')).toBe(DINGTALK_VECTOR.sign);
  });
});

describe('Feishu bot signature', () => {
  it('matches the documented algorithm: base64(HMAC-SHA256(key="<s>\\n<secret>", ""))', () => {
    const at = 1_733_212_800;
    const expected = createHmac('sha256', Buffer.from(`${at}\nsecret-1`, 'utf8'))
      .update(Buffer.alloc(0))
      .digest()
      .toString('base64');
    expect(feishuSign('secret-1', at)).toBe(expected);
  });

  it('reproduces the vector of the vendor sample', () => {
    expect(feishuSign(FEISHU_VECTOR.secret, FEISHU_VECTOR.timestampSeconds)).toBe(FEISHU_VECTOR.sign);
  });
});
