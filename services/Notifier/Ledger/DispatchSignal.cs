using SalesMind.Outbox;

namespace SalesMind.Notifier.Ledger;

/// <summary>Wakes the dispatcher when a consumer committed a new delivery.</summary>
public sealed class DispatchSignal : WakeSignal;
