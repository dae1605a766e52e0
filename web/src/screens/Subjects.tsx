export default function Subjects() {
  return (
    <main id="main">
      <h1>Subjects</h1>
    </main>
  );
}
