using SalesMind.Outbox;

namespace SalesMind.Notifier.Deliveries;

/// <summary>Wakes the dispatcher when a consumer committed a new delivery.</summary>
public sealed class DispatchSignal : WakeSignal;
