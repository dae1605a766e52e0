export default function Community() {
  return (
    <main id="main">
      <h1>Community</h1>
    </main>
  );
}
