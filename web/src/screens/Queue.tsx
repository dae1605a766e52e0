export function Queue() {
  return (
    <main id="main">
      <h1>Queue</h1>
    </main>
  );
}
