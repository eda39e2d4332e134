/** The home page: every lab that exists, with a still from the real lab and what it teaches. */
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { LABS } from '../labs/registry';

export function Home() {
  const [query, setQuery] = useState('');
  const needle = query.trim().toLowerCase();
  const shown = LABS.filter(
    (lab) =>
      needle === '' ||
      [lab.title, lab.summary, ...lab.concepts].some((text) => text.toLowerCase().includes(needle)),
  );
  return (
    <div className="home">
      <section className="hero">
        <h1>System Design Lab</h1>
        <p>
          Learn system design by playing with the real algorithms. Every lab runs a seeded,
          replayable simulation of the actual implementation in your browser: change it, break it,
          and share the exact run by link.
        </p>
        <label className="search">
          <span>Find a lab or concept</span>
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="hash ring, virtual nodes…"
          />
        </label>
      </section>
      <ul className="lab-cards">
        {shown.map((lab) => (
          <li key={lab.id} className="lab-card">
            <Link to="/labs/$labId" params={{ labId: lab.id }} className="lab-card-link">
              <img
                src={lab.preview}
                alt={`A still of the ${lab.title} lab`}
                width={480}
                height={300}
                loading="lazy"
              />
              <h2>{lab.title}</h2>
              <p>{lab.summary}</p>
              <p className="concepts">{lab.concepts.join(' · ')}</p>
            </Link>
          </li>
        ))}
      </ul>
      {shown.length === 0 ? <p>No lab matches “{query}”.</p> : null}
    </div>
  );
}
