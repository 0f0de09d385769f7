import type { DemoRandom } from './demo-random.js';

/** Chinese trade-name words with a latin spelling for the e-mail domain. */
const CN_WORDS: readonly (readonly [string, string])[] = [
  ['华新', 'huaxin'],
  ['宏达', 'hongda'],
  ['远航', 'yuanhang'],
  ['金桥', 'jinqiao'],
  ['恒信', 'hengxin'],
  ['瑞丰', 'ruifeng'],
  ['东方', 'dongfang'],
  ['中科', 'zhongke'],
  ['天成', 'tiancheng'],
  ['鼎盛', 'dingsheng'],
  ['德润', 'derun'],
  ['嘉禾', 'jiahe'],
  ['蓝海', 'lanhai'],
  ['万通', 'wantong'],
  ['永安', 'yongan'],
  ['星河', 'xinghe'],
];
const CN_CITIES = [
  '北京',
  '上海',
  '深圳',
  '广州',
  '杭州',
  '成都',
  '南京',
  '武汉',
  '苏州',
  '西安',
  '重庆',
  '天津',
];
const CN_TRADES = [
  '贸易',
  '科技',
  '电子',
  '机械',
  '物流',
  '食品',
  '医药',
  '建材',
  '化工',
  '纺织',
  '信息技术',
  '超市',
];
const CN_SUFFIXES = ['有限公司', '股份有限公司', '集团有限公司'];
const EN_WORDS = [
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Tailspin',
  'Wide World',
  'Blue Yonder',
  'Litware',
  'Proseware',
  'Lucerne',
  'Fourth Coffee',
  'Woodgrove',
  'Acme',
];
const EN_TRADES = [
  'Trading',
  'Precision Components',
  'Logistics',
  'Electronics',
  'Foods',
  'Pharmaceuticals',
  'Building Materials',
  'Chemicals',
  'Textiles',
  'Machinery',
];
const EN_SUFFIXES = ['Co., Ltd.', 'Ltd.', 'Inc.', 'GmbH', 'Pte. Ltd.', 'Holdings Ltd.'];
const CONTACTS = [
  'sales',
  'purchasing',
  'finance',
  'info',
  'zhang.wei',
  'wang.fang',
  'li.na',
  'liu.yang',
  'john.smith',
  'emma.jones',
  'procurement',
];
const CITIES = [
  'Shanghai',
  'Beijing',
  'Shenzhen',
  'Guangzhou',
  'Hangzhou',
  'Chengdu',
  'Nanjing',
  'Wuhan',
  'Suzhou',
  'Hong Kong',
  'Singapore',
  'Frankfurt',
];

/** A sample company: its name, a contact e-mail and its city. */
export interface CompanyName {
  readonly name: string;
  readonly email: string;
  readonly city: string;
}

/** A company named in Chinese (about half) or English, with a plausible contact address. */
export function companyName(random: DemoRandom, id: number): CompanyName {
  const contact = random.pick(CONTACTS);
  if (random.chance(0.5)) {
    const [word, latin] = random.pick(CN_WORDS);
    const name = `${random.pick(CN_CITIES)}${word}${random.pick(CN_TRADES)}${random.pick(CN_SUFFIXES)}`;
    return { name, email: `${contact}.${id}@${latin}.example.cn`, city: random.pick(CITIES.slice(0, 9)) };
  }
  const word = random.pick(EN_WORDS);
  const name = `${word} ${random.pick(EN_TRADES)} ${random.pick(EN_SUFFIXES)}`;
  const domain = word.toLowerCase().replace(/\s+/g, '-');
  return { name, email: `${contact}.${id}@${domain}.example.com`, city: random.pick(CITIES) };
}

interface ProductKind {
  readonly names: readonly string[];
  readonly variants: readonly string[];
  readonly uom: string;
  /** Price range in cents. */
  readonly cents: readonly [number, number];
}

const PRODUCT_KINDS: readonly ProductKind[] = [
  {
    names: ['不锈钢螺栓', 'Stainless Steel Bolt'],
    variants: ['M6×30', 'M8×40', 'M10×50', 'M12×60'],
    uom: 'box',
    cents: [1_200, 9_800],
  },
  {
    names: ['无线蓝牙耳机', 'Wireless Earbuds'],
    variants: ['Pro', 'Lite', '2代', 'Sport'],
    uom: 'piece',
    cents: [9_900, 129_900],
  },
  {
    names: ['工业标签打印机', 'Industrial Label Printer'],
    variants: ['ZT410', 'ZT610', 'GK888'],
    uom: 'piece',
    cents: [299_900, 1_299_900],
  },
  {
    names: ['食品级包装膜', 'Food-Grade Cling Film'],
    variants: ['30cm', '45cm', '60cm'],
    uom: 'carton',
    cents: [4_500, 18_000],
  },
  { names: ['东北大米', 'Jasmine Rice'], variants: ['5kg', '10kg', '25kg'], uom: 'kg', cents: [520, 1_480] },
  {
    names: ['医用外科口罩', 'Surgical Mask'],
    variants: ['50只装', 'Box of 50', 'Box of 100'],
    uom: 'box',
    cents: [1_990, 6_900],
  },
  {
    names: ['液压油', 'Hydraulic Oil'],
    variants: ['ISO 32', 'ISO 46', 'ISO 68'],
    uom: 'kg',
    cents: [1_650, 3_200],
  },
  {
    names: ['笔记本电脑支架', 'Laptop Stand'],
    variants: ['铝合金', 'Aluminium', 'Adjustable'],
    uom: 'piece',
    cents: [5_900, 26_900],
  },
];

/** A sample product: name (Chinese or English), unit of measure and list price in cents. */
export interface ProductName {
  readonly name: string;
  readonly uom: string;
  readonly priceCents: number;
}

/** A product of one of a few kinds, named in Chinese or English. */
export function productName(random: DemoRandom): ProductName {
  const kind = random.pick(PRODUCT_KINDS);
  return {
    name: `${random.pick(kind.names)} ${random.pick(kind.variants)}`,
    uom: kind.uom,
    priceCents: random.int(kind.cents[0], kind.cents[1]),
  };
}

/** The warehouses of the sample company, as the CRM names them. */
export const WAREHOUSES = ['Shanghai', 'Beijing', 'Shenzhen'] as const;
