export default function Subject() {
  return (
    <main id="main">
      <h1>Subject</h1>
    </main>
  );
}
