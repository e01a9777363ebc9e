export function Coming({ title, what }: { title: string; what: string }) {
  return (
    <section className="page" data-testid="coming-page">
      <header className="page-header">
        <h1>{title}</h1>
      </header>
      <p className="muted">Coming soon: {what}.</p>
    </section>
  );
}
