export default function Admin() {
  return (
    <main id="main">
      <h1>Admin</h1>
    </main>
  );
}
