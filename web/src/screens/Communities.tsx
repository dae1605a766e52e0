export default function Communities() {
  return (
    <main id="main">
      <h1>Communities</h1>
    </main>
  );
}
