// A strict, small XML 1.0 well-formedness check that also builds the element tree (no dependency, no leniency):
// one root, matched tags, quoted unique attributes, only the five predefined and numeric entities, no stray < or &,
// only characters XML allows.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const name = '[A-Za-z_][A-Za-z0-9_.-]*';
const entity = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g;
const badChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function decode(raw: string, where: string): string {
  if (/[<]/.test(raw)) throw new Error(`${where}: raw <`);
  if (/&/.test(raw.replace(entity, ''))) throw new Error(`${where}: & that is not an entity reference`);
  return raw.replace(entity, (ref) => {
    const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };
    if (named[ref]) return named[ref];
    const code = ref.startsWith('&#x') ? parseInt(ref.slice(3, -1), 16) : parseInt(ref.slice(2, -1), 10);
    return String.fromCodePoint(code);
  });
}

export function parseXml(text: string): XmlElement {
  if (badChar.test(text)) throw new Error('a character XML 1.0 does not allow');
  const prolog = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(text);
  if (!prolog) throw new Error('no XML declaration');
  let i = prolog[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tagRe = new RegExp(`<(/?)(${name})((?:\\s+${name}\\s*=\\s*"[^"]*")*)\\s*(/?)>`, 'y');
  const attrRe = new RegExp(`(${name})\\s*=\\s*"([^"]*)"`, 'g');
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    if (stack.length === 0) {
      if (chunk.trim() !== '') throw new Error(`text outside the root at ${i}`);
    } else (stack.at(-1) as XmlElement).text += decode(chunk, `text at ${i}`);
    if (lt === -1) break;
    tagRe.lastIndex = lt;
    const m = tagRe.exec(text);
    if (!m) throw new Error(`malformed tag at ${lt}: ${JSON.stringify(text.slice(lt, lt + 40))}`);
    const [whole, close, tag, attrText, selfClose] = m as unknown as [string, string, string, string, string];
    i = lt + whole.length;
    if (close) {
      if (attrText || selfClose) throw new Error(`end tag with attributes at ${lt}`);
      const open = stack.pop();
      if (!open || open.name !== tag) throw new Error(`</${tag}> does not close <${open?.name ?? 'nothing'}>`);
      continue;
    }
    if (root && stack.length === 0) throw new Error('a second root element');
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(attrRe)) {
      const key = a[1] as string;
      if (Object.hasOwn(attrs, key)) throw new Error(`duplicate attribute ${key} on <${tag}>`);
      attrs[key] = decode(a[2] as string, `attribute ${key}`);
    }
    const element: XmlElement = { name: tag, attrs, children: [], text: '' };
    if (stack.length > 0) (stack.at(-1) as XmlElement).children.push(element);
    else root = element;
    if (!selfClose) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${(stack.at(-1) as XmlElement).name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}
