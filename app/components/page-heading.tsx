import { Link } from '@remix-run/react';

/** A sub-page's heading, under the link back to the page it belongs to. */
export function PageHeading({ title, back }: { title: string; back: { to: string; label: string } }) {
  return (
    <>
      <p>
        <Link to={back.to}>{back.label}</Link>
      </p>
      <h1>{title}</h1>
    </>
  );
}
