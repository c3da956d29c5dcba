import { XMLParser, XMLValidator } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: true,
  // MsgId is a 64-bit integer: keep every value a string so it is not rounded.
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

/** Parses a WeCom XML document; null when it is not well-formed XML. */
export function parseXml(text: string): unknown {
  if (XMLValidator.validate(text) !== true) return null;
  return parser.parse(text) as unknown;
}

/** Wraps a value in CDATA, splitting any "]]>" it contains. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
