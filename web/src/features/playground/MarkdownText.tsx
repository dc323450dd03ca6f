import Markdown, { type Components } from 'react-markdown';

// Links from a model open in a new tab without handing it this window; images are not fetched
// (a model could point them anywhere), their alt text is shown instead.
const COMPONENTS: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
  img: ({ alt }) => <span>{alt}</span>,
};

/**
 * A model's answer rendered as Markdown. Raw HTML in the text is never rendered (react-markdown
 * without rehype-raw drops it), and unsafe link schemes are removed by its default urlTransform.
 */
export function MarkdownText({ text }: { text: string }) {
  return (
    <div className="et-markdown">
      <Markdown skipHtml components={COMPONENTS}>
        {text}
      </Markdown>
    </div>
  );
}
