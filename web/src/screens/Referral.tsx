export default function Referral() {
  return (
    <main id="main">
      <h1>Referral</h1>
    </main>
  );
}
